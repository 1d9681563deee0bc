/**
 * Thrown by the canvas helpers when a caller asks for something the canvas contract forbids (a position off the
 * grid, an unknown block, a malformed argument). Readers such as `toCanvasJSON` never throw it: they normalise.
 */
export class CanvasModelError extends Error {
  override readonly name = 'CanvasModelError'
}
