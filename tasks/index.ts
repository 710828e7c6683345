import type { TaskDefinition } from "hardhat/types/tasks";

/**
 * Every DISP task, registered in hardhat.config.ts. Each definition is thin: it declares options and
 * lazily imports its action module, which parses the options and calls the client.
 */
export const dispTasks: TaskDefinition[] = [];
