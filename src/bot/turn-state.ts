/**
 * The turn-state key under which a channel adapter puts the key of the event a turn comes from
 * ("zalo:<msg id>", "portal:<activity id>"): the ask dialog files a question with it as `source`,
 * so a turn run again after a crash never files the same question twice.
 */
export const EVENT_SOURCE = Symbol('hoidap.eventSource');
