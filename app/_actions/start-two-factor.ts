'use server';
import { z } from 'zod';
import QRCode from 'qrcode';
import { revalidatePath } from 'next/cache';
import { startTwoFactorSetup } from '@/mail-daemon/accounts/totp.ts';
import { runAction, type ActionState } from '../_lib/action.ts';
import { requireSignedIn } from '../_lib/session.ts';

export async function startTwoFactorAction(_state: ActionState, formData: FormData): Promise<ActionState> {
  return runAction(z.object({}), formData, async () => {
    const { store, account } = await requireSignedIn();
    const { secret, uri } = await startTwoFactorSetup(store, account.id, account.address);
    revalidatePath('/settings');
    return {
      message: 'Scan the code with your authenticator app, then type the code it shows below.',
      tone: 'hint',
      data: { qr: await QRCode.toDataURL(uri, { margin: 1, width: 180 }), reveal: secret, revealLabel: 'Or enter this key:' },
    };
  });
}
