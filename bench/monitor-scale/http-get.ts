import { type Agent, request } from 'node:http';

export interface GetAnswer {
  readonly status: number;
  readonly etag: string | undefined;
  readonly body: Buffer;
}

/** One GET over `agent`, the whole body read: an answer counts only once it has fully arrived. */
export function httpGet(url: string, agent: Agent, headers: Record<string, string> = {}): Promise<GetAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => {
        const etag = response.headers.etag;
        resolve({ status: response.statusCode ?? 0, etag, body: Buffer.concat(chunks) });
      });
      response.once('error', reject);
    });
    outgoing.once('error', reject);
    outgoing.end();
  });
}
