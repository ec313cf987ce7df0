# Evaluates nix/modules/ec-op-stack.nix without nixpkgs: a small stand-in for the few `lib` functions
# the module uses. `nix-instantiate --eval --strict --json nix/test/eval.nix` prints what the module
# declares and configures; nix/module.test.ts checks it against the stack's defaults.
let
  lib = {
    mkEnableOption = description: { inherit description; default = false; };
    mkOption = attrs: attrs;
    mkIf = cond: value: if cond then value else { };
    optional = cond: x: if cond then [ x ] else [ ];
    hasPrefix = prefix: s: builtins.substring 0 (builtins.stringLength prefix) s == prefix;
    types = {
      str = "str";
      bool = "bool";
      port = "port";
      nullOr = t: "nullOr ${t}";
      listOf = t: "listOf ${t}";
    };
  };
  module = import ../modules/ec-op-stack.nix;
  # Package stand-ins: the names are what the test checks.
  pkgs = { bash = "bash"; coreutils = "coreutils"; curl = "curl"; jq = "jq"; gnutar = "gnutar"; gzip = "gzip"; };
  declared = (module { config.services.every-channel.op-stack = { }; inherit lib pkgs; }).options.services.every-channel.op-stack;
  cfg = {
    enable = true;
    stateDir = declared.stateDir.default;
    backupDir = declared.backupDir.default;
    p2p = { opNodePort = declared.p2p.opNodePort.default; executionPort = declared.p2p.executionPort.default; };
    archivePath = "/srv/every-channel/archive.jsonl";
    operator = { user = declared.operator.user.default; authorizedKeys = [ "ssh-ed25519 AAAAtest operator" ]; };
    docker = { enable = true; logMaxSize = declared.docker.logMaxSize.default; };
  };
  configured = (module { config.services.every-channel.op-stack = cfg; inherit lib pkgs; }).config;
  disabled = (module { config.services.every-channel.op-stack = cfg // { enable = false; }; inherit lib pkgs; }).config;
in
{
  defaults = {
    stateDir = declared.stateDir.default;
    backupDir = declared.backupDir.default;
    opNodePort = declared.p2p.opNodePort.default;
    executionPort = declared.p2p.executionPort.default;
    operator = declared.operator.user.default;
  };
  descriptions = builtins.all (d: d != "") [
    declared.enable.description
    declared.stateDir.description
    declared.backupDir.description
    declared.p2p.opNodePort.description
    declared.p2p.executionPort.description
    declared.archivePath.description
    declared.operator.user.description
    declared.operator.authorizedKeys.description
    declared.docker.enable.description
  ];
  firewall = configured.networking.firewall;
  tmpfiles = configured.systemd.tmpfiles.rules;
  assertionsHold = builtins.all (a: a.assertion) configured.assertions;
  operatorGroups = configured.users.users.${cfg.operator.user}.extraGroups;
  dockerLogOpts = configured.virtualisation.docker.daemon.settings.log-opts;
  packages = configured.environment.systemPackages;
  disabledIsEmpty = disabled == { };
}
