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
#
# `services.every-channel.rail-witness` is independent of the above: it runs one rail witness (the
# bundled client, rail.mjs) as a hardened systemd unit on any NixOS host, with its key passed by
# systemd's LoadCredential= from a file that never leaves that host (docs/joining-as-a-witness.md).
{ config, lib, pkgs, ... }:

let
  cfg = config.services.every-channel.op-stack;
  wcfg = config.services.every-channel.rail-witness;
  defaults = builtins.fromJSON (builtins.readFile ../opstack-defaults.json);
  inherit (lib) mkEnableOption mkIf mkOption types;

  wopt = "services.every-channel.rail-witness";
  # The name the key has in the unit's credentials directory (%d/<name>, $CREDENTIALS_DIRECTORY/<name>).
  witnessCredential = "witness-key";
  isHttpUrl = u: builtins.match "https?://[^[:space:]\"'\\]+" u != null;
  isAbsolute = p: builtins.match "/[^[:space:]\"'\\]*" p != null;
  # One ExecStart argument: double-quoted for systemd, with its specifier (%) and variable ($)
  # characters doubled so they reach the process as written.
  systemdArg = s: "\"" + builtins.replaceStrings [ "\\" "\"" "%" "$" ] [ "\\\\" "\\\"" "%%" "$$" ] s + "\"";
  listenHost = a: if builtins.match ".*:.*" a != null then "[${a}]" else a;
  # The flags `rail witness` is started with (each checked against the CLI's own in nix/module.test.ts).
  witnessArgs =
    [ "witness"
      "--rpc" wcfg.rpcUrl
      "--ledger" wcfg.ledger
      "--archive" wcfg.archiveDir
      "--state-dir" "/var/lib/${wcfg.stateDirectory}"
      "--listen" "${listenHost wcfg.listen.address}:${toString wcfg.listen.port}"
    ]
    ++ builtins.concatMap (url: [ "--relayer" url ]) wcfg.relayers
    ++ lib.optional (wcfg.fromBlock != null) "--from-block"
    ++ lib.optional (wcfg.fromBlock != null) (toString wcfg.fromBlock)
    ++ wcfg.extraArgs;
  # Flags the module sets itself; extraArgs may not set them again.
  moduleFlags = [ "--rpc" "--ledger" "--archive" "--state-dir" "--listen" "--relayer" "--from-block" "--key-file" ];
  extraFlagName = a: builtins.head (builtins.split "=" a);
  # Protect{Home,System} hide these from the unit: an archive there would be invisible to it.
  hiddenPrefixes = [ "/home" "/root" "/run/user" "/tmp" "/var/tmp" ];
  underHidden = p: builtins.any (prefix: p == prefix || lib.hasPrefix "${prefix}/" p) hiddenPrefixes;
in
{
  options.services.every-channel.rail-witness = {
    enable = mkEnableOption "one every.channel rail witness on this host (rail.mjs as a systemd unit, its key from a file that never leaves the host)";

    bundle = mkOption {
      type = types.nullOr types.path;
      default = null;
      example = "/etc/ecp/rail.mjs";
      description = ''
        The bundled rail client, rail.mjs (built by esbuild from rail/cli.ts: `npx tsx scripts/bundle-rail.ts --out rail.mjs`,
        or the copy the operator publishes). It holds no secret; a Nix path literal puts it in the store.
      '';
    };

    nodePackage = mkOption {
      type = types.package;
      default = pkgs.nodejs;
      defaultText = lib.literalExpression "pkgs.nodejs";
      description = "The Node.js that runs rail.mjs (20.19 or later; the bundle targets Node 20).";
    };

    keyFile = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "/etc/ecp/witness.key";
      description = ''
        The file on this host holding the witness's private key (0x and 64 hex digits), made with
        `rail keygen --out FILE`; owned by root, mode 0400. systemd passes it to the unit as the credential
        `${witnessCredential}` (LoadCredential=), which the witness reads with `--key-file %d/${witnessCredential}`:
        the key is never in the Nix store, the unit file, the command line or the environment.
        Give it as a string: a Nix path literal would copy the key into the world-readable store.
      '';
    };

    relayers = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "http://10.0.0.2:8650" ];
      description = "The relayers this witness posts its proposals and sign-offs to and reads candidates from (at least one; the operator gives them).";
    };

    ledger = mkOption {
      type = types.str;
      default = "";
      example = "0x1234567890abcdef1234567890abcdef12345678";
      description = "The ledger contract this witness signs off on (the stack's `rail` output, `ledger`).";
    };

    rpcUrl = mkOption {
      type = types.str;
      default = "";
      example = "http://10.0.0.2:8545";
      description = ''
        The L2's JSON-RPC URL. It appears in the unit file (in the world-readable Nix store) and in the
        process list, so use an endpoint that carries no secret in its URL.
      '';
    };

    archiveDir = mkOption {
      type = types.str;
      default = "";
      example = "/srv/every-channel/archive";
      description = ''
        This witness's own archive: a directory of .jsonl files (or one file), followed as it grows. The
        unit sees it read-only (ReadOnlyPaths=), and it must exist when the unit starts. It must be readable by the unit's dynamic user, for
        example world-readable or through `supplementaryGroups`.
      '';
    };

    supplementaryGroups = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "every-channel" ];
      description = "Groups the unit's user joins, for example one that may read the archive.";
    };

    stateDirectory = mkOption {
      type = types.str;
      default = "ecp-rail-witness";
      description = ''
        The unit's state directory under /var/lib (StateDirectory=, mode 0700): the witness's durable,
        locked record of what it signed. Keep it across restarts and upgrades; a witness that loses it
        could sign twice.
      '';
    };

    listen = {
      address = mkOption {
        type = types.str;
        default = "127.0.0.1";
        description = "Where the witness serves /metrics and /healthz.";
      };
      port = mkOption {
        type = types.port;
        default = 8651;
        description = "The port of /metrics and /healthz.";
      };
    };

    openFirewall = mkOption {
      type = types.bool;
      default = false;
      description = "Open `listen.port` (TCP) in the firewall, for a Prometheus on another host.";
    };

    fromBlock = mkOption {
      type = types.nullOr types.int;
      default = null;
      example = 1200000;
      description = "The block to read the ledger's logs from (`--from-block`): its deployment block saves reading the whole chain.";
    };

    extraArgs = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "--max-pipeline" "4" ];
      description = "More `rail witness` flags (see `node rail.mjs witness --help`).";
    };
  };

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

  config = lib.mkMerge [ (mkIf cfg.enable {
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
  })

  (mkIf wcfg.enable {
    assertions = [
      {
        assertion = wcfg.keyFile != null;
        message = "${wopt}.keyFile is not set: make the witness's key on this host (`umask 077; node rail.mjs keygen --out /etc/ecp/witness.key`) and set keyFile = \"/etc/ecp/witness.key\".";
      }
      {
        assertion = wcfg.keyFile == null || (builtins.isString wcfg.keyFile && isAbsolute wcfg.keyFile);
        message = "${wopt}.keyFile must be an absolute path given as a string, like \"/etc/ecp/witness.key\" (a Nix path literal would copy the key into the world-readable Nix store).";
      }
      {
        assertion = wcfg.keyFile == null || !(lib.hasPrefix "${builtins.storeDir}/" (toString wcfg.keyFile));
        message = "${wopt}.keyFile is in the Nix store, which every user can read: keep the key in a root-only file outside it, like /etc/ecp/witness.key, and make a new key if this one was ever in the store.";
      }
      {
        assertion = wcfg.bundle != null;
        message = "${wopt}.bundle is not set: give the path of the bundled rail client, rail.mjs (`npx tsx scripts/bundle-rail.ts --out rail.mjs` in an ecp-forge checkout).";
      }
      {
        assertion = wcfg.relayers != [ ];
        message = "${wopt}.relayers is empty: give at least one relayer URL (http://host:port, from the operator); a witness reaches the other witnesses only through relayers.";
      }
      {
        assertion = builtins.all isHttpUrl wcfg.relayers;
        message = "${wopt}.relayers: every entry must be an http:// or https:// URL without spaces or quotes, got ${builtins.toJSON wcfg.relayers}.";
      }
      {
        assertion = builtins.match "0x[0-9a-fA-F]{40}" wcfg.ledger != null;
        message = "${wopt}.ledger must be the ledger's address, 0x and 40 hex digits (the stack's `rail` output), got \"${wcfg.ledger}\".";
      }
      {
        assertion = isHttpUrl wcfg.rpcUrl;
        message = "${wopt}.rpcUrl must be the L2's http:// or https:// JSON-RPC URL, got \"${wcfg.rpcUrl}\".";
      }
      {
        assertion = isAbsolute wcfg.archiveDir && !(underHidden wcfg.archiveDir);
        message = "${wopt}.archiveDir must be an absolute path outside ${builtins.concatStringsSep ", " hiddenPrefixes} (the unit does not see those), got \"${wcfg.archiveDir}\".";
      }
      {
        assertion = !(builtins.any (a: builtins.elem (extraFlagName a) moduleFlags) wcfg.extraArgs);
        message = "${wopt}.extraArgs sets a flag the module sets from its own options (${builtins.concatStringsSep " " moduleFlags}): use the options (rpcUrl, ledger, archiveDir, stateDirectory, listen, relayers, fromBlock, keyFile) instead.";
      }
      {
        assertion = builtins.match "[A-Za-z0-9._-]+" wcfg.stateDirectory != null;
        message = "${wopt}.stateDirectory is a directory name under /var/lib, like ecp-rail-witness, got \"${wcfg.stateDirectory}\".";
      }
    ];

    networking.firewall.allowedTCPPorts = lib.optional wcfg.openFirewall wcfg.listen.port;

    systemd.services.ecp-rail-witness = {
      description = "every.channel rail witness (signs off on observations from its own archive)";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [ "network-online.target" ];
      # Restart=always for good: no start limit (the backoff below paces the restarts).
      startLimitIntervalSec = 0;
      environment.RAIL_LOG_LEVEL = "info";
      serviceConfig = {
        ExecStart = builtins.concatStringsSep " " (
          [ "${wcfg.nodePackage}/bin/node" ]
          # "${bundle}": a Nix path literal is copied into the store (the bundle is public code).
          ++ map systemdArg ([ "${wcfg.bundle}" ] ++ witnessArgs ++ [ "--key-file" ])
          # %d: the unit's credentials directory, where systemd put the key (a specifier, so not escaped).
          ++ [ "%d/${witnessCredential}" ]
        );
        LoadCredential = [ "${witnessCredential}:${toString wcfg.keyFile}" ];
        Restart = "always";
        RestartSec = "5s";
        RestartSteps = 8;
        RestartMaxDelaySec = "5min";
        # The witness stops cleanly on SIGTERM (its record is durable at every step).
        KillSignal = "SIGTERM";
        TimeoutStopSec = "30s";

        DynamicUser = true;
        SupplementaryGroups = wcfg.supplementaryGroups;
        StateDirectory = wcfg.stateDirectory;
        StateDirectoryMode = "0700";
        WorkingDirectory = "/var/lib/${wcfg.stateDirectory}";
        UMask = "0077";
        ReadOnlyPaths = [ wcfg.archiveDir ];

        NoNewPrivileges = true;
        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        PrivateDevices = true;
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectKernelLogs = true;
        ProtectControlGroups = true;
        ProtectClock = true;
        ProtectHostname = true;
        # (ProcSubset=pid would hide /proc/cpuinfo and /proc/meminfo, which Node and libuv read.)
        ProtectProc = "invisible";
        CapabilityBoundingSet = "";
        AmbientCapabilities = "";
        RestrictAddressFamilies = [ "AF_INET" "AF_INET6" "AF_UNIX" ];
        RestrictNamespaces = true;
        RestrictRealtime = true;
        RestrictSUIDSGID = true;
        LockPersonality = true;
        RemoveIPC = true;
        SystemCallArchitectures = "native";
        # (@resources stays allowed: Node raises its open-files limit with setrlimit at start.)
        SystemCallFilter = [ "@system-service" "~@privileged" ];
        SystemCallErrorNumber = "EPERM";
        # Node's JIT writes and then runs code: MemoryDenyWriteExecute stays off.
        MemoryDenyWriteExecute = false;
        MemoryMax = "2G";
        TasksMax = 256;
      };
    };
  })
  ];
}
