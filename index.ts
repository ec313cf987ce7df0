// The ecp-forge stack: an OP Stack testnet on Sepolia, run on ecp-forge. All logic lives in components/;
// this file loads the config and exports what operators read with `pulumi stack output`.
import * as pulumi from "@pulumi/pulumi";

import { loadConfig } from "./components/config/load.js";
import { configSecretKeys, opStack } from "./components/stack.js";

const raw = pulumi.runtime.allConfig();
const config = loadConfig(raw, { secretKeys: configSecretKeys(Object.keys(raw)) });
const { outputs } = opStack(config, { stack: pulumi.getStack() });

export const l1ChainId = outputs.l1ChainId;
export const l2ChainId = outputs.l2ChainId;
export const l1Addresses = outputs.l1Addresses;
export const l1Contracts = outputs.l1Contracts;
export const l1StartBlock = outputs.l1StartBlock;
export const l2GenesisHash = outputs.l2GenesisHash;
export const genesisSha256 = outputs.genesisSha256;
export const rollupSha256 = outputs.rollupSha256;
export const forks = outputs.forks;
export const intentSha256 = outputs.intentSha256;
export const roles = outputs.roles;
export const onChain = outputs.onChain;
export const executionClient = outputs.executionClient;
export const endpoints = outputs.endpoints;
export const services = outputs.services;
export const disputePath = outputs.disputePath;
export const rail = outputs.rail;
export const sequencerPeer = outputs.sequencerPeer;
export const peers = outputs.peers;
export const monitoring = outputs.monitoring;
export const grafanaAdminPassword = outputs.grafanaAdminPassword;
export const undeployable = outputs.undeployable;
