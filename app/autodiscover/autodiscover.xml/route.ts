import { autodiscoverResponse } from '@/app/_lib/autoconfig-response.ts';

export const dynamic = 'force-dynamic';

export const POST = autodiscoverResponse;
