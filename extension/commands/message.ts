/** The `type` of a command message. Its own module so UI pages can send commands without loading the schemas. */
export const COMMAND_MESSAGE_TYPE = 'hydraflow/command';
