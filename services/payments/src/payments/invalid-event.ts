/**
 * An event whose data does not match its type's schema: no retry can fix it. The consumer's handler
 * throws it and the message ends in the dead-letter topic with this message as the reason.
 */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError'
}
