/**
 * Cursor paging by reading one row more than the page size: the extra row is never returned, it only tells whether
 * another page exists. `cursorOf` turns the page's last item into the cursor of the next page.
 */
export function pageOf<Row, Item, Cursor>(
  rows: readonly Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (last: Item) => Cursor,
): { readonly items: Item[]; readonly next: Cursor | null } {
  const items = rows.slice(0, limit).map(toItem)
  const last = items.at(-1)
  return { items, next: rows.length > limit && last !== undefined ? cursorOf(last) : null }
}

/** The usual cursor of lists ordered by (created_at, id). */
export function createdAtCursor(item: { readonly createdAt: Date; readonly id: string }): {
  createdAt: Date
  id: string
} {
  return { createdAt: item.createdAt, id: item.id }
}
