export function Pagination({ page, size, total, onPage }: { page: number; size: number; total: number; onPage: (page: number) => void }) {
  const pages = Math.max(1, Math.ceil(total / size));
  if (total <= size && page === 0) return null;
  const first = total === 0 ? 0 : page * size + 1;
  const last = Math.min(total, (page + 1) * size);
  return (
    <nav className="pagination" aria-label="Pages">
      <span>
        {first}–{last} of {total}
      </span>
      <button type="button" className="button button-secondary" onClick={() => onPage(page - 1)} disabled={page <= 0}>
        Previous
      </button>
      <button type="button" className="button button-secondary" onClick={() => onPage(page + 1)} disabled={page + 1 >= pages}>
        Next
      </button>
    </nav>
  );
}
