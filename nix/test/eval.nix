# Evaluates nix/modules/ec-op-stack.nix without nixpkgs: a small stand-in for the few `lib` functions
# the module uses. `nix-instantiate --eval --strict --json nix/test/eval.nix` prints what the module
# declares and configures; nix/module.test.ts checks it against the stack's defaults and, for the
# rail witness, against the rail CLI's own flags.
let
  # mkMerge as the module system merges definitions: attribute sets recursively, lists concatenated.
  merge = a: b:
    a // builtins.mapAttrs
      (name: v:
        if !(a ? ${name}) then v
        else if builtins.isList v && builtins.isList a.${name} then a.${name} ++ v
        else if builtins.isAttrs v && builtins.isAttrs a.${name} then merge a.${name} v
        else v)
      b;
  lib = {
    mkEnableOption = description: { inherit description; default = false; };
    mkOption = attrs: attrs;
    mkIf = cond: value: if cond then value else { };
    mkMerge = builtins.foldl' merge { };
    literalExpression = text: { _type = "literalExpression"; inherit text; };
    optional = cond: x: if cond then [ x ] else [ ];
    hasPrefix = prefix: s: builtins.substring 0 (builtins.stringLength prefix) s == prefix;
    types = {
      str = "str";
      bool = "bool";
      port = "port";
      int = "int";
      path = "path";
      package = "package";
      nullOr = t: "nullOr ${t}";
      listOf = t: "listOf ${t}";
    };
  };
  module = import ../modules/ec-op-stack.nix;
  # Package stand-ins: the names are what the test checks.
  pkgs = { bash = "bash"; coreutils = "coreutils"; curl = "curl"; jq = "jq"; gnutar = "gnutar"; gzip = "gzip"; nodejs = "/nix/store/00000000000000000000000000000000-nodejs-22"; };
  eval = opStack: witness: module { config.services.every-channel = { op-stack = opStack; rail-witness = witness; }; inherit lib pkgs; };
  declared = (eval { } { }).options.services.every-channel.op-stack;
  declaredWitness = (eval { } { }).options.services.every-channel.rail-witness;
  cfg = {
    enable = true;
    stateDir = declared.stateDir.default;
    backupDir = declared.backupDir.default;
    p2p = { opNodePort = declared.p2p.opNodePort.default; executionPort = declared.p2p.executionPort.default; };
    archivePath = "/srv/every-channel/archive.jsonl";
    operator = { user = declared.operator.user.default; authorizedKeys = [ "ssh-ed25519 AAAAtest operator" ]; };
    docker = { enable = true; logMaxSize = declared.docker.logMaxSize.default; };
  };
  witnessOff = builtins.mapAttrs (_: o: o.default) (builtins.removeAttrs declaredWitness [ "listen" ]) // {
    listen = builtins.mapAttrs (_: o: o.default) declaredWitness.listen;
  };
  configured = (eval cfg witnessOff).config;
  disabled = (eval (cfg // { enable = false; }) witnessOff).config;

  # A witness host: the witness alone (no OP Stack host), as docs/joining-as-a-witness.md sets it up.
  witnessCfg = witnessOff // {
    enable = true;
    bundle = "/etc/ecp/rail.mjs";
    keyFile = "/etc/ecp/witness.key";
    relayers = [ "http://10.0.0.2:8650" "https://relayer.example/rail?a=1%20b" ];
    ledger = "0x1234567890abcdef1234567890abcdef12345678";
    rpcUrl = "http://10.0.0.2:8545";
    archiveDir = "/srv/every-channel/archive";
    supplementaryGroups = [ "every-channel" ];
    fromBlock = 1200;
    extraArgs = [ "--max-pipeline" "4" ];
    openFirewall = true;
  };
  witnessHost = (eval (cfg // { enable = false; }) witnessCfg).config;
  failed = c: map (a: a.message) (builtins.filter (a: !a.assertion) c.assertions);
  # What each broken witness config fails with (the messages of its failed assertions).
  broken = builtins.mapAttrs (_: over: failed (eval (cfg // { enable = false; }) (witnessCfg // over)).config) {
    noKeyFile = { keyFile = null; };
    relativeKeyFile = { keyFile = "witness.key"; };
    keyInStore = { keyFile = "${builtins.storeDir}/abc-witness.key"; };
    noRelayers = { relayers = [ ]; };
    badRelayer = { relayers = [ "10.0.0.2:8650" ]; };
    noBundle = { bundle = null; };
    badLedger = { ledger = "0x1234"; };
    badRpc = { rpcUrl = ""; };
    archiveInHome = { archiveDir = "/home/alice/archive"; };
    relativeArchive = { archiveDir = "archive"; };
    extraSetsKeyFile = { extraArgs = [ "--key-file=/tmp/k" ]; };
    badStateDirectory = { stateDirectory = "../etc"; };
  };
  # As NixOS does with failed assertions: evaluation stops with their messages.
  checked = c: let f = failed c; in if f == [ ] then c else throw "Failed assertions:\n${builtins.concatStringsSep "\n" (map (m: "- ${m}") f)}";
  # A config that fails its assertions: evaluating its unit must stop, as a NixOS build would.
  failingUnit = (checked (eval (cfg // { enable = false; }) (witnessCfg // { keyFile = null; relayers = [ ]; })).config).systemd.services;
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

  witnessDescriptions = builtins.all (d: d != "") (
    map (o: o.description) (builtins.attrValues (builtins.removeAttrs declaredWitness [ "listen" ]))
    ++ map (o: o.description) (builtins.attrValues declaredWitness.listen)
  );
  # Every option of the witness, as `listen.port`.
  witnessOptions = builtins.concatLists (builtins.attrValues (builtins.mapAttrs
    (name: o: if name == "listen" then map (sub: "listen.${sub}") (builtins.attrNames o) else [ name ])
    declaredWitness));
  witness = {
    # Only the witness: nothing of the OP Stack host (no Docker, no operator account, no P2P ports).
    keys = builtins.attrNames witnessHost;
    assertionsHold = builtins.all (a: a.assertion) witnessHost.assertions;
    firewall = witnessHost.networking.firewall;
    service = (checked witnessHost).systemd.services.ecp-rail-witness;
    withOpStack = (eval cfg witnessCfg).config.networking.firewall.allowedTCPPorts;
    ipv6Listen = (eval (cfg // { enable = false; }) (witnessCfg // { listen = { address = "::1"; port = 9651; }; })).config.systemd.services.ecp-rail-witness.serviceConfig.ExecStart;
    inherit broken;
    failingConfigStopsEvaluation = !(builtins.tryEval (builtins.deepSeq failingUnit failingUnit)).success;
    # The same checked evaluation lets a sound config through.
    soundConfigEvaluates = (builtins.tryEval (builtins.deepSeq (checked witnessHost) true)).success;
  };
}
