/** Which app and which replica this process is; in every log line and Kafka client id. */
export interface ServiceInfo {
  name: string;
  instance: string;
}

export const SERVICE_INFO = Symbol('SERVICE_INFO');

