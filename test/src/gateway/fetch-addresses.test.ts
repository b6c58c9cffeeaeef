// The address classification the web fetch relies on: one address of every inside range (IPv4,
// IPv6, and IPv6 forms carrying an inside IPv4 address) is inside; public addresses, including the
// same IPv6 forms carrying a public IPv4 address, are not; anything that is not an IP is inside.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insideRange } from '../../../src/gateway/addresses.ts';

test('every inside range is named; public addresses are not', () => {
  const inside: [string, RegExp][] = [
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['10.255.0.1', /private/],
    ['100.64.0.1', /CGNAT/],
    ['100.127.255.254', /CGNAT/],
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['169.254.169.254', /link-local \(cloud metadata\)/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.0.0.170', /IETF/],
    ['192.168.1.1', /private/],
    ['198.18.0.1', /benchmarking/],
    ['224.0.0.251', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['::ffff:127.0.0.1', /IPv4-mapped loopback/],
    ['::ffff:7f00:1', /IPv4-mapped loopback/],
    ['::ffff:a9fe:a9fe', /IPv4-mapped link-local/],
    ['::7f00:1', /IPv4-compatible loopback/],
    ['::ffff:0:a00:1', /IPv4-translated private/],
    ['64:ff9b::7f00:1', /NAT64 loopback/],
    ['64:ff9b::10.0.0.1', /NAT64 private/],
    ['64:ff9b:1::1', /local-use NAT64/],
    ['2002:7f00:1::1', /6to4 loopback/],
    ['2002:c0a8:101::1', /6to4 private/],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', /Teredo loopback/],
    ['100::1', /discard/],
    ['fc00::1', /unique local/],
    ['fd00:ec2::254', /unique local/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['febf::1', /link-local/],
    ['fec0::1', /site-local/],
    ['ff02::1', /multicast/],
    ['localhost', /not an IP/],
    ['', /not an IP/],
  ];
  for (const [ip, range] of inside) assert.match(insideRange(ip) ?? 'public', range, ip);
  for (const ip of [
    '1.1.1.1',
    '8.8.8.8',
    '9.255.255.255',
    '11.0.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '172.15.255.255',
    '172.32.0.0',
    '192.167.255.255',
    '192.169.0.0',
    '223.255.255.255',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
  ])
    assert.equal(insideRange(ip), undefined, ip);
});
