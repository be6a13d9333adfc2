import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { logError } from '../../lib/log';
import { isDoneFrame, takeEventFrames } from '../../lib/sse';

/**
 * A chat answer's Server-Sent Events written straight to Node's response. Through the adapter each
 * event crossed two web streams (Hono's, then the adapter's reader) and the status line left alone
 * before the first event: one more socket write per message, each a syscall that also runs the
 * receiving side of loopback TCP. Here the status line and headers wait for the first event and
 * leave with it (the event itself is not delayed), and events produced in the same tick leave
 * together (Node corks a response's writes until the next tick).
 *
 * Returns the response itself when it is not such a stream (the adapter sends it), else the
 * adapter's "already sent" marker.
 */
export function sendEventStream(response: Response, outgoing: ServerResponse | Http2ServerResponse): Response {
  const frames = takeEventFrames(response);
  if (!frames) return response;
  void writeFrames(response, frames, outgoing);
  return RESPONSE_ALREADY_SENT;
}

function headersOf(response: Response): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  // Node chunks a body of unknown length itself (and HTTP/2 has no such header).
  response.headers.forEach((value, name) => {
    if (name !== 'transfer-encoding' && name !== 'connection' && name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  return headers;
}

async function writeFrames(response: Response, frames: AsyncGenerator<string>, outgoing: ServerResponse | Http2ServerResponse) {
  let gone = false;
  const onClose = () => (gone = true);
  outgoing.once('close', onClose);
  const writeHead = () => {
    if (!outgoing.headersSent) (outgoing as ServerResponse).writeHead(response.status, headersOf(response));
  };
  let ended = false;
  try {
    for (let next = await frames.next(); !next.done; next = await frames.next()) {
      // The client went away (or has its answer): the turn still runs to its end, so its answer
      // is stored and announced.
      if (gone || ended) continue;
      writeHead();
      if (isDoneFrame(next.value)) {
        // `done` is the turn's last event: ending here sends it now (end() uncorks the socket),
        // while what the turn does after it (announcing to the inbox) runs behind the response.
        (outgoing as ServerResponse).end(next.value);
        ended = true;
      } else (outgoing as ServerResponse).write(next.value);
    }
  } catch (error) {
    // The frames turn a failed turn into an `error` event; reaching this is a bug, so the client's
    // stream is cut rather than ended as if complete.
    logError('event stream failed', error);
    outgoing.destroy();
    return;
  } finally {
    outgoing.off('close', onClose);
  }
  if (gone || ended) return;
  writeHead();
  outgoing.end();
}
