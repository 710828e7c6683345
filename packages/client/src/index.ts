// DISP client: store, retrieve, verify, history, grants, node agent
export {};
