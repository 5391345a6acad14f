/**
 * Previous and next, with the rows shown out of the total. `shown` is how many rows this page has: a page found from a
 * cursor may hold fewer than the total suggests (rows added since are newer than the first page, not after this one),
 * and a short page is the last.
 */
export function Pagination({ page, size, total, shown, onPage }: {
  page: number; size: number; total: number; shown: number; onPage: (page: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(total / size));
  if (total <= size && page === 0) return null;
  const first = shown === 0 ? 0 : page * size + 1;
  const last = page * size + shown;
  return (
    <nav className="pagination" aria-label="Pages">
      <span>
        {shown === 0 ? `None past ${page * size} of ${total}` : `${first}–${last} of ${total}`}
      </span>
      <button type="button" className="button button-secondary" onClick={() => onPage(page - 1)} disabled={page <= 0}>
        Previous
      </button>
      <button type="button" className="button button-secondary" onClick={() => onPage(page + 1)}
        disabled={shown < size || page + 1 >= pages}>
        Next
      </button>
    </nav>
  );
}
