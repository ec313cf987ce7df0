// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test double of the DisputeGameFactory's day-2 surface (op-contracts v7/v8: gameImpls,
///         gameArgs, owner, and the owner's setImplementation with packed game args), for the stack's
///         day-2 reconciliation tests on anvil. Nothing here runs on a real chain.
contract DisputeGameFactoryDouble {
    error NotOwner(address caller);

    address public owner;
    mapping(uint32 => address) public gameImpls;
    mapping(uint32 => bytes) public gameArgs;

    event ImplementationSet(address indexed impl, uint32 indexed gameType);
    event ImplementationArgsSet(uint32 indexed gameType, bytes args);

    constructor(address owner_, uint32 gameType, address impl, bytes memory args) {
        owner = owner_;
        gameImpls[gameType] = impl;
        gameArgs[gameType] = args;
    }

    function setImplementation(uint32 gameType, address impl, bytes calldata args) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        gameImpls[gameType] = impl;
        gameArgs[gameType] = args;
        emit ImplementationSet(impl, gameType);
        emit ImplementationArgsSet(gameType, args);
    }
}

/// @notice Test double of SystemConfig's day-2 surface (batcherHash, unsafeBlockSigner, owner and the
///         owner's setters), as op-contracts v7/v8 define them.
contract SystemConfigDouble {
    error NotOwner(address caller);

    address public owner;
    bytes32 public batcherHash;
    address public unsafeBlockSigner;

    constructor(address owner_, address batcher, address signer) {
        owner = owner_;
        batcherHash = bytes32(uint256(uint160(batcher)));
        unsafeBlockSigner = signer;
    }

    function setBatcherHash(address batcher) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        batcherHash = bytes32(uint256(uint160(batcher)));
    }

    function setUnsafeBlockSigner(address signer) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        unsafeBlockSigner = signer;
    }
}

/// @notice Test double of SuperchainConfig's `version()`, with the version fixed at construction (as immutable
///         code, so a test can copy the runtime code to Sepolia's SuperchainConfig address on anvil).
contract SuperchainConfigVersionDouble {
    bytes32 private immutable VERSION_BYTES;
    uint256 private immutable VERSION_LENGTH;

    constructor(string memory version_) {
        bytes memory b = bytes(version_);
        require(b.length <= 32, "version too long");
        VERSION_BYTES = bytes32(b);
        VERSION_LENGTH = b.length;
    }

    function version() external view returns (string memory out) {
        out = new string(VERSION_LENGTH);
        bytes32 v = VERSION_BYTES;
        assembly {
            mstore(add(out, 32), v)
        }
    }
}

/// @notice A stand-in for one proxy the contracts manager deploys: its constructor fills `slots` storage
///         slots, so a deploy of several costs millions of gas, as a chain deploy does.
contract DeployedContractDouble {
    uint256[] private filler;

    constructor(uint256 slots) {
        for (uint256 i = 0; i < slots; i++) {
            filler.push(i + 1);
        }
    }
}

/// @notice Test double of OPContractsManager.deploy's L1 effect, for the stack's deploy-sender tests: one call
///         that CREATE2-deploys `count` contracts at addresses fixed by this contract, the caller and `salt`
///         (as the real one mixes msg.sender into its salt), and reverts when they already exist.
contract OpcmDeployDouble {
    event Deployed(address indexed deployer, bytes32 indexed salt, address[] contracts);

    function deploy(bytes32 salt, uint256 count, uint256 slots) external returns (address[] memory out) {
        out = new address[](count);
        for (uint256 i = 0; i < count; i++) {
            out[i] = address(new DeployedContractDouble{salt: keccak256(abi.encode(msg.sender, salt, i))}(slots));
        }
        emit Deployed(msg.sender, salt, out);
    }
}
