import { autoconfigResponse } from '@/app/_lib/autoconfig-response.ts';

export const dynamic = 'force-dynamic';

export function GET(request: Request) {
  return autoconfigResponse(request);
}
