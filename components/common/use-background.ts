import { useCallback, useEffect, useState } from 'react';
import { callBackground, type MessageName, type MessageRequest, type MessageResponse, type MessageError } from '@/lib/messaging/protocol';

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; data: T } | { state: 'error'; error: MessageError };

/** Asks the background once per `key` change; `reload` asks again (after an action). */
export function useBackground<N extends MessageName>(name: N, request: MessageRequest<N>, key: string) {
  const [value, setValue] = useState<Loadable<MessageResponse<N>>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    callBackground(name, request)
      .then((result) => {
        if (!live) return;
        setValue(result.ok ? { state: 'ready', data: result.data } : { state: 'error', error: result.error });
      })
      .catch((error: unknown) => {
        if (live) setValue({ state: 'error', error: { code: 'internal', message: String(error) } });
      });
    return () => {
      live = false;
    };
    // `request` is described by `key`; listing it would refetch on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [name, key, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return [value, reload] as const;
}
