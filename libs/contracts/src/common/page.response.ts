/** Every list answers this shape. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
