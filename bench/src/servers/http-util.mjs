/** Small helpers shared by the peer server wrappers. */
export const requirePort = () => {
  const port = Number(process.env.PORT)
  if (!Number.isInteger(port) || port <= 0)
    throw new Error(`PORT must be a positive integer, got ${process.env.PORT}`)
  return port
}

export const host = () => process.env.HOST ?? '127.0.0.1'

/** Answers GET /readyz with 200 (the readiness check the bench uses for every server). */
export const readyz = (req, res) => {
  res.writeHead(req.url === '/readyz' ? 200 : 404, { 'content-type': 'text/plain' })
  res.end(req.url === '/readyz' ? 'ok' : 'not found')
}
