/**
 * One problem with a statistics file: which file, which row (the header is row 1; null for the
 * file as a whole), which column, the value as given and what was expected instead.
 */
export interface StatisticsProblem {
  file: string;
  row: number | null;
  column: string;
  value: string;
  expected: string;
}

/** Values longer than this are cut in problems: a problem names a value, it does not copy a file. */
const longestValue = 200;

/**
 * Counts every problem and keeps the first `keep`, so a file with a million bad cells is reported
 * in full count without holding a million problems in memory.
 */
export class ProblemLog {
  private readonly first: StatisticsProblem[] = [];
  private total = 0;

  constructor(private readonly keep: number) {}

  add(problem: StatisticsProblem): void {
    this.total += 1;
    if (this.first.length < this.keep) {
      const value = problem.value.length > longestValue ? `${problem.value.slice(0, longestValue)}…` : problem.value;
      this.first.push({ ...problem, value });
    }
  }

  addAll(problems: readonly StatisticsProblem[]): void {
    for (const problem of problems) this.add(problem);
  }

  /** Takes in another log's problems: those it kept, as far as this one keeps them, and its count. */
  merge(other: ProblemLog): void {
    for (const problem of other.kept) this.add(problem);
    this.total += other.count - other.kept.length;
  }

  get count(): number {
    return this.total;
  }

  get kept(): readonly StatisticsProblem[] {
    return this.first;
  }
}

/** `file:row column: value — expected`, as the command line lists problems. */
export function formatProblem(problem: StatisticsProblem): string {
  const where = problem.row === null ? problem.file : `${problem.file}:${problem.row}`;
  const value = problem.value === '' ? '(blank)' : problem.value;
  return `${where} ${problem.column}: ${value} — ${problem.expected}`;
}
