#!/usr/bin/env bash
# Sets up Debian's Postfix as the comparison for `npm run bench -- smtp`:
# smtpd on 127.0.0.1:2525 accepting mail for bench.test into a maildir, no DNS.
# Run once as root after `apt-get install -y postfix`; CI does not do this.
set -euo pipefail
base=/var/tmp/postfix-bench
mkdir -p "$base" && chown nobody:nogroup "$base"
postconf -e \
  'inet_interfaces = 127.0.0.1' \
  'mydestination =' \
  'virtual_mailbox_domains = bench.test' \
  "virtual_mailbox_base = $base" \
  'virtual_mailbox_maps = static:bench/' \
  'virtual_uid_maps = static:65534' \
  'virtual_gid_maps = static:65534' \
  'smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination' \
  'disable_dns_lookups = yes' \
  'smtpd_peername_lookup = no'
# Only 2525: the platform itself wants port 25.
sed -i 's/^smtp      inet/#smtp      inet/' /etc/postfix/master.cf
grep -q '^127.0.0.1:2525 ' /etc/postfix/master.cf || echo '127.0.0.1:2525 inet n - y - - smtpd' >> /etc/postfix/master.cf
postfix stop 2>/dev/null || true
postfix start
