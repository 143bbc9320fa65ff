/** How many of a thread's newest messages come with it when a panel opens (`threads.forTab`, and the panel's own early read). */
export const PANEL_MESSAGE_LIMIT = 100;
