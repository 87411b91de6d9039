/** What every service answers to its `<domain>.ping` pattern. */
export interface PingResponse {
  service: string;
  instance: string;
  at: string;
}
