# The ecp-forge host for the every.channel OP Stack testnet (ECP-0093).
#
# This module prepares the host; the Pulumi stack (index.ts) deploys onto it over SSH: op-deployer
# runs here, and the execution client (op-reth, or op-geth), op-node, op-batcher, op-proposer, op-challenger and op-dispute-mon run as
# Docker containers. Defaults come from ../opstack-defaults.json, generated from the stack's own
# defaults, so the module and the stack agree on the state directory and the P2P ports.
#
# Teardown: run `pulumi destroy` first (it removes the containers, and the state directories only
# when ecp:destroyRemovesState is set), then set `services.every-channel.op-stack.enable = false`.
# The Sepolia L1 contracts stay deployed; they cannot be undeployed.
{ config, lib, pkgs, ... }:

let
  cfg = config.services.every-channel.op-stack;
  defaults = builtins.fromJSON (builtins.readFile ../opstack-defaults.json);
  inherit (lib) mkEnableOption mkIf mkOption types;
in
{
  options.services.every-channel.op-stack = {
    enable = mkEnableOption "the every.channel OP Stack testnet host (Docker, state directories, P2P firewall, operator account)";

    stateDir = mkOption {
      type = types.str;
      default = defaults.stateDir;
      description = ''
        Where op-deployer's work directory, the chain's genesis and rollup config, the engine-API JWT,
        the Cannon prestates and the services' data live. Must equal the stack's `ecp:stateDir`.
      '';
    };

    backupDir = mkOption {
      type = types.str;
      default = defaults.backupDir;
      description = ''
        Where the stack copies op-deployer's state.json, the intent and the chain config after each apply, one
        timestamped directory each (mount another disk or a share here). Must equal the stack's `ecp:backupDir`.
      '';
    };

    p2p = {
      opNodePort = mkOption {
        type = types.port;
        default = defaults.p2p.opNodePort;
        description = "op-node's P2P port (TCP and UDP), opened in the firewall. Must equal `ecp:p2p.opNodePort`.";
      };
      executionPort = mkOption {
        type = types.port;
        default = defaults.p2p.executionPort;
        description = "The execution client's devp2p port (op-reth or op-geth; TCP and UDP), opened in the firewall. Must equal `ecp:p2p.executionPort`.";
      };
    };

    archivePath = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "/var/lib/every-channel/archive/observations.jsonl";
      description = ''
        The every.channel archive JSONL on this host that the chain's smoke derives observations from.
        The operator account gets read access through the `every-channel` group.
      '';
    };

    operator = {
      user = mkOption {
        type = types.str;
        default = "ecp-operator";
        description = "The account the Pulumi stack connects as over SSH; it may use Docker and owns the state directories.";
      };
      authorizedKeys = mkOption {
        type = types.listOf types.str;
        default = [ ];
        example = [ "ssh-ed25519 AAAAC3Nza... operator@laptop" ];
        description = "SSH public keys allowed to log in as the operator (password login stays off).";
      };
    };

    docker = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = "Run the Docker daemon the stack deploys the services into.";
      };
      logMaxSize = mkOption {
        type = types.str;
        default = "100m";
        description = "Default json-file log rotation size for containers (the stack also sets it per container).";
      };
    };
  };

  config = mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.operator.authorizedKeys != [ ];
        message = "services.every-channel.op-stack.operator.authorizedKeys is empty: add the operator's SSH public key, or the Pulumi stack cannot reach this host.";
      }
      {
        assertion = lib.hasPrefix "/" cfg.stateDir;
        message = "services.every-channel.op-stack.stateDir must be an absolute path, got ${cfg.stateDir}.";
      }
    ];

    virtualisation.docker = mkIf cfg.docker.enable {
      enable = true;
      daemon.settings = {
        log-driver = "json-file";
        log-opts = { max-size = cfg.docker.logMaxSize; max-file = "5"; };
      };
    };

    # What the stack's remote steps (scripts/op-stack/remote/*.sh, run as `bash -s` over SSH) call.
    environment.systemPackages = [ pkgs.bash pkgs.coreutils pkgs.curl pkgs.jq pkgs.gnutar pkgs.gzip ];

    users.groups.every-channel = { };
    users.users.${cfg.operator.user} = {
      isNormalUser = true;
      description = "every.channel OP Stack operator (Pulumi over SSH)";
      extraGroups = [ "every-channel" ] ++ lib.optional cfg.docker.enable "docker";
      openssh.authorizedKeys.keys = cfg.operator.authorizedKeys;
    };

    services.openssh = {
      enable = true;
      settings.PasswordAuthentication = false;
    };

    # Only P2P is public. RPC, engine-auth and metrics ports are bound to 127.0.0.1 or the internal
    # Docker network by the stack; the firewall opens nothing else.
    networking.firewall = {
      enable = true;
      allowedTCPPorts = [ cfg.p2p.opNodePort cfg.p2p.executionPort ];
      allowedUDPPorts = [ cfg.p2p.opNodePort cfg.p2p.executionPort ];
    };

    systemd.tmpfiles.rules =
      [ "d ${cfg.stateDir} 0750 ${cfg.operator.user} every-channel -" ]
      ++ map (d: "d ${cfg.stateDir}/${d.path} ${d.mode} ${cfg.operator.user} every-channel -") defaults.directories
      ++ [ "d ${cfg.backupDir} 0700 ${cfg.operator.user} every-channel -" ]
      ++ lib.optional (cfg.archivePath != null) "z ${cfg.archivePath} 0640 - every-channel -";
  };
}
