// IPFS nodes behind one interface: embedded Helia and Kubo over kubo-rpc-client
export {};
