/**
 * Minimum-cost assignment for an n×m cost matrix (Hungarian / Kuhn–Munkres with potentials), O(N³)
 * for N = max(n, m).
 *
 * Every row gets at most one column and every column at most one row; exactly min(n, m) pairs are
 * made, with the smallest total cost. To maximise (e.g. similarity), pass negated values. Returns,
 * per row, its column, or -1 for rows left over when there are more rows than columns. Ties between
 * equally cheap assignments are broken deterministically (same matrix, same answer).
 *
 * Costs must be finite: infinities would turn the potentials into NaN. A caller that needs forbidden
 * pairs gives them a neutral cost and discards them afterwards (see decide.ts).
 */
export function hungarian(cost: readonly (readonly number[])[]): number[] {
  const rows = cost.length;
  const cols = rows === 0 ? 0 : cost[0].length;
  for (const row of cost) {
    if (row.length !== cols) throw new RangeError('hungarian: every row must have the same length');
    if (!row.every(Number.isFinite)) throw new RangeError('hungarian: costs must be finite numbers');
  }
  // Padding to square with zero-cost dummy rows/columns: a complete assignment uses every dummy
  // exactly once at cost 0, so the padding cannot change which real pairs are cheapest.
  const n = Math.max(rows, cols);
  const at = (i: number, j: number): number => (i < rows && j < cols ? cost[i][j] : 0);

  // Classic 1-based formulation; column 0 is a virtual column holding the row being inserted.
  const u = new Array<number>(n + 1).fill(0); // row potentials
  const v = new Array<number>(n + 1).fill(0); // column potentials
  const rowOf = new Array<number>(n + 1).fill(0); // rowOf[j]: row matched to column j, 0 = free
  const prev = new Array<number>(n + 1).fill(0); // previous column on the shortest augmenting path
  for (let i = 1; i <= n; i++) {
    rowOf[0] = i;
    let j0 = 0;
    const minSlack = new Array<number>(n + 1).fill(Infinity);
    const visited = new Array<boolean>(n + 1).fill(false);
    // Grow a shortest-path tree (reduced costs are ≥ 0) until it reaches a free column.
    do {
      visited[j0] = true;
      const i0 = rowOf[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (visited[j]) continue;
        const slack = at(i0 - 1, j - 1) - u[i0] - v[j];
        if (slack < minSlack[j]) {
          minSlack[j] = slack;
          prev[j] = j0;
        }
        if (minSlack[j] < delta) {
          delta = minSlack[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (visited[j]) {
          u[rowOf[j]] += delta;
          v[j] -= delta;
        } else {
          minSlack[j] -= delta;
        }
      }
      j0 = j1;
    } while (rowOf[j0] !== 0);
    // Flip the matching along the augmenting path back to the virtual column.
    do {
      const j1 = prev[j0];
      rowOf[j0] = rowOf[j1];
      j0 = j1;
    } while (j0 !== 0);
  }

  const result = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= cols; j++) {
    if (rowOf[j] <= rows) result[rowOf[j] - 1] = j - 1;
  }
  return result;
}
