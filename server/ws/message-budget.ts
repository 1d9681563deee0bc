import type { WsBudgetConfig } from '../config.ts'
import { TokenBucket } from './token-bucket.ts'

/**
 * What one WebSocket connection may send: a message-count bucket and a byte bucket. A client past either budget is
 * flooding; the caller closes that connection only (4429), so one client cannot starve a room or the process.
 */
export class MessageBudget {
  private readonly messages: TokenBucket
  private readonly bytes: TokenBucket

  constructor(config: WsBudgetConfig, now?: () => number) {
    this.messages = new TokenBucket(config.messagesPerSecond, config.messageBurst, now)
    this.bytes = new TokenBucket(config.bytesPerSecond, config.byteBurst, now)
  }

  /** Counts one received message of `byteLength` bytes; false when it exceeds the connection's budget. */
  allow(byteLength: number): boolean {
    // A refusal closes the connection, so a message token spent before the byte bucket refused does not matter.
    return this.messages.take(1) && this.bytes.take(byteLength)
  }
}
