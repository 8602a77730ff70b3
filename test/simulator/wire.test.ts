// The wire protocol byte by byte: JSON-RPC and XML-RPC envelopes, content types, errors,
// event.from semantics, HTTP handler authentication — the details that break real clients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulator, vmRef } from './helpers';
import type { Simulator } from '../sim/index';

async function post(
  sim: Simulator,
  path: string,
  body: string,
  type = 'application/json',
): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

async function login(sim: Simulator): Promise<string> {
  const r = await post(
    sim,
    '/jsonrpc',
    JSON.stringify({ id: 0, jsonrpc: '2.0', method: 'session.login_with_password', params: ['root', 'secret'] }),
  );
  return JSON.parse(r.text).result;
}

async function call(sim: Simulator, method: string, params: unknown[]): Promise<Record<string, unknown>> {
  return JSON.parse((await post(sim, '/jsonrpc', JSON.stringify({ id: 7, jsonrpc: '2.0', method, params }))).text);
}

test('JSON-RPC 2.0 and 1.0 envelopes, exact content type', async (t) => {
  const sim = await simulator(t);
  const ok = await post(
    sim,
    '/jsonrpc',
    JSON.stringify({ id: 0, jsonrpc: '2.0', method: 'session.login_with_password', params: ['root', 'secret'] }),
  );
  assert.equal(ok.status, 200);
  assert.equal(ok.type, 'application/json');
  assert.match(ok.text, /^\{"jsonrpc":"2\.0","result":"OpaqueRef:[0-9a-f-]{36}","id":0\}$/);
  const bad = await post(
    sim,
    '/jsonrpc',
    JSON.stringify({ id: 'x', jsonrpc: '2.0', method: 'session.login_with_password', params: ['root', 'nope'] }),
  );
  assert.equal(
    bad.text,
    '{"jsonrpc":"2.0","error":{"code":1,"message":"SESSION_AUTHENTICATION_FAILED","data":["root","Authentication ' +
      'failure"]},"id":"x"}',
  );
  const v1 = await post(sim, '/jsonrpc', JSON.stringify({ id: 'a', method: 'VM.get_all', params: ['OpaqueRef:dead'] }));
  assert.equal(v1.text, '{"result":null,"error":["SESSION_INVALID","OpaqueRef:dead"],"id":"a"}');
  const v1ok = await post(sim, '/jsonrpc', JSON.stringify({ id: 'b', method: 'system.listMethods', params: [] }));
  assert.match(v1ok.text, /^\{"result":\[.*"VM\.get_all_records".*\],"error":null,"id":"b"\}$/);
  const malformed = await post(sim, '/jsonrpc', '{"jsonrpc":"2.0","method":"VM.get_all","params":[]}');
  assert.equal(malformed.status, 500);
});

test('XML-RPC: one-line responses, untyped int64, typed bool/double/dateTime, bare listMethods', async (t) => {
  const sim = await simulator(t);
  const session = await login(sim);
  const vm = vmRef(sim, 'PROD-ubuntu14');
  const req =
    `<?xml version="1.0" encoding="UTF-8"?><methodCall><methodName>VM.get_record</methodName>` +
    `<params><param><value>${session}</value></param><param><value>${vm}</value></param></params></methodCall>`;
  const r = await post(sim, '/xmlrpc', req, 'text/xml');
  assert.equal(r.type, 'text/xml');
  assert.ok(
    r.text.startsWith(
      '<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>Status</name>' +
        '<value>Success</value></member><member><name>Value</name><value><struct>',
    ),
  );
  assert.doesNotMatch(r.text.slice(21), />\s+</, 'no whitespace between tags');
  assert.ok(r.text.includes('<member><name>memory_static_max</name><value>4294967296</value></member>'));
  assert.ok(r.text.includes('<member><name>is_a_template</name><value><boolean>0</boolean></value></member>'));
  assert.ok(r.text.includes('<member><name>HVM_shadow_multiplier</name><value><double>1.0</double></value></member>'));
  assert.ok(
    r.text.includes(
      '<member><name>snapshot_time</name>' +
        '<value><dateTime.iso8601>19700101T00:00:00Z</dateTime.iso8601></value></member>',
    ),
  );
  assert.ok(
    r.text.includes(
      '<member><name>tags</name><value><array><data><value>production</value></data></array></value></member>',
    ),
  );
  const list = await post(
    sim,
    '/',
    '<?xml version="1.0"?><methodCall><methodName>system.listMethods</methodName><params /></methodCall>',
    'text/xml',
  );
  assert.ok(list.text.startsWith('<?xml version="1.0"?><methodResponse><params><param><value><array><data><value>'));
  const fail = await post(sim, '/RPC2', req.replace(vm, 'OpaqueRef:nope'), 'text/xml');
  assert.equal(
    fail.text,
    '<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>Status</name><value>Failure' +
      '</value></member><member><name>ErrorDescription</name><value><array><data><value>HANDLE_INVALID</value>' +
      '<value>VM</value><value>OpaqueRef:nope</value></data></array></value></member></struct></value></param>' +
      '</params></methodResponse>',
  );
});

test('XML-RPC requests as Python xmlrpc.client sends them (pretty-printed, typed)', async (t) => {
  const sim = await simulator(t);
  const pretty = `<?xml version='1.0'?>
<methodCall>
<methodName>session.login_with_password</methodName>
<params>
<param>
<value><string>root</string></value>
</param>
<param>
<value><string>secret</string></value>
</param>
</params>
</methodCall>
`;
  const r = await post(sim, '/', pretty, 'text/xml');
  const session = /<name>Value<\/name><value>(OpaqueRef:[^<]+)<\/value>/.exec(r.text)?.[1];
  assert.ok(session, r.text);
  const byName = await post(
    sim,
    '/',
    `<?xml version='1.0'?>\n<methodCall>\n<methodName>VM.get_by_name_label</methodName>\n` +
      `<params>\n<param>\n<value><string>${session}</string></value>\n</param>\n` +
      `<param>\n<value><string>DEV mySql</string></value>\n</param>\n</params>\n</methodCall>\n`,
    'text/xml',
  );
  assert.ok(byName.text.includes(`<value>${vmRef(sim, 'DEV mySql')}</value>`));
  const setter = await post(
    sim,
    '/',
    `<?xml version='1.0'?><methodCall><methodName>VM.set_VCPUs_at_startup</methodName><params>` +
      `<param><value>${session}</value></param>` +
      `<param><value>${vmRef(sim, 'DEV-RH6')}</value></param>` +
      `<param><value><int>3</int></value></param></params></methodCall>`,
    'text/xml',
  );
  assert.ok(setter.text.includes('<value>Success</value>'), setter.text);
  assert.equal(sim.state.get('VM', vmRef(sim, 'DEV-RH6'))!.VCPUs_at_startup, 3);
});

test('API errors: unknown method, parameter count, read-only field, map duplicate key', async (t) => {
  const sim = await simulator(t);
  const s = await login(sim);
  const vm = vmRef(sim, 'DEV-RH7');
  assert.deepEqual((await call(sim, 'VM.frobnicate', [s, vm])).error, {
    code: 1,
    message: 'MESSAGE_METHOD_UNKNOWN',
    data: ['VM.frobnicate'],
  });
  assert.deepEqual((await call(sim, 'VM.set_power_state', [s, vm, 'Halted'])).error, {
    code: 1,
    message: 'MESSAGE_METHOD_UNKNOWN',
    data: ['VM.set_power_state'],
  });
  assert.deepEqual((await call(sim, 'VM.get_record', [s])).error, {
    code: 1,
    message: 'MESSAGE_PARAMETER_COUNT_MISMATCH',
    data: ['VM.get_record', '2', '1'],
  });
  assert.equal((await call(sim, 'VM.add_to_other_config', [s, vm, 'k', 'v'])).result, '');
  assert.deepEqual((await call(sim, 'VM.add_to_other_config', [s, vm, 'k', 'w'])).error, {
    code: 1,
    message: 'MAP_DUPLICATE_KEY',
    data: ['VM', 'other_config', vm, 'k'],
  });
  assert.equal((await call(sim, 'VM.remove_from_other_config', [s, vm, 'absent'])).result, '');
  assert.equal((await call(sim, 'VM.add_tags', [s, vm, 'nightly'])).result, '');
  assert.deepEqual((await call(sim, 'VM.get_tags', [s, vm])).result, ['nightly']);
  assert.deepEqual((await call(sim, 'VM.destroy', [s, vm])).error, {
    code: 1,
    message: 'VM_BAD_POWER_STATE',
    data: [vm, 'halted', 'running'],
  });
  const snap = (await call(sim, 'VM.snapshot', [s, vm, 'snap'])).result as string;
  assert.deepEqual((await call(sim, 'VM.snapshot', [s, snap, 'again'])).error, {
    code: 1,
    message: 'VM_IS_SNAPSHOT',
    data: [snap, 'snapshot'],
  });
});

test('event.from: tokens, long poll, valid_ref_counts, class filters, event.inject', async (t) => {
  const sim = await simulator(t);
  const s = await login(sim);
  const pool = sim.state.refs('pool')[0];
  const token = (await call(sim, 'event.inject', [s, 'pool', pool])).result as string;
  assert.match(token, /^\d{20},0{20}$/);
  const first = (await call(sim, 'event.from', [s, ['pool'], token, 1.0])).result as {
    events: { class: string; operation: string; ref: string }[];
    token: string;
    valid_ref_counts: Record<string, number>;
  };
  assert.deepEqual(
    first.events.map((e) => [e.class, e.operation, e.ref]),
    [['pool', 'mod', pool]],
  );
  assert.equal(first.valid_ref_counts.vm, sim.state.count('VM'));
  assert.equal(first.valid_ref_counts.task, 0);
  // Nothing new: the call blocks for the whole timeout.
  const started = Date.now();
  const idle = (await call(sim, 'event.from', [s, ['VM'], first.token, 0.6])).result as { events: unknown[] };
  assert.deepEqual(idle.events, []);
  assert.ok(Date.now() - started >= 550, 'long poll waited');
  // A change wakes the poll early; only subscribed classes are reported.
  const waiting = call(sim, 'event.from', [s, ['vm'], first.token, 30]);
  setTimeout(() => void call(sim, 'VM.set_name_description', [s, vmRef(sim, 'DEV-RH6'), 'changed']), 100);
  const woke = (await waiting).result as {
    events: { class: string; operation: string; snapshot: { name_description: string } }[];
  };
  // Woken by the change (with a 30 s timeout and no change the events would be empty).
  assert.deepEqual(
    woke.events.map((e) => [e.class, e.operation, e.snapshot.name_description]),
    [['vm', 'mod', 'changed']],
  );
  assert.deepEqual((await call(sim, 'event.from', [s, ['VM'], 'garbage', 0])).error, {
    code: 1,
    message: 'EVENT_FROM_TOKEN_PARSE_FAILURE',
    data: ['garbage'],
  });
  const all = (await call(sim, 'event.from', [s, ['host'], '', 0])).result as { events: { operation: string }[] };
  assert.equal(all.events.length, 2);
  assert.ok(all.events.every((e) => e.operation === 'add'));
  assert.deepEqual((await call(sim, 'event.inject', [s, 'VM', 'OpaqueRef:nope'])).error, {
    code: 1,
    message: 'HANDLE_INVALID',
    data: ['VM', 'OpaqueRef:nope'],
  });
});

test('Async calls return a task completed with an XML-RPC encoded result', async (t) => {
  const sim = await simulator(t);
  const s = await login(sim);
  const task = (await call(sim, 'Async.VM.snapshot', [s, vmRef(sim, 'DEV-RH7'), 'async-snap'])).result as string;
  let rec: Record<string, unknown> = {};
  for (let i = 0; i < 100 && rec.status !== 'success'; i++) {
    rec = (await call(sim, 'task.get_record', [s, task])).result as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(rec.status, 'success');
  assert.match(String(rec.result), /^<value>OpaqueRef:[0-9a-f-]{36}<\/value>$/);
  assert.equal(rec.progress, 1);
});

test('HTTP handlers: 401 without a session, 404 for an unknown format, task failed', async (t) => {
  const sim = await simulator(t);
  const s = await login(sim);
  const noSession = await fetch(`${sim.url}/export?ref=${vmRef(sim, 'DEV-RH6')}`);
  assert.equal(noSession.status, 401);
  assert.equal(noSession.headers.get('www-authenticate'), 'Basic realm="xapi"');
  await noSession.text();
  const task = (await call(sim, 'task.create', [s, 'export', ''])).result as string;
  const vdi = sim.state.refs('VDI')[0];
  const unknown = await fetch(
    `${sim.url}/export_raw_vdi?session_id=${encodeURIComponent(s)}` +
      `&task_id=${encodeURIComponent(task)}&vdi=${encodeURIComponent(vdi)}&format=qcow9`,
  );
  assert.equal(unknown.status, 404);
  await unknown.text();
  const rec = (await call(sim, 'task.get_record', [s, task])).result as { status: string; error_info: string[] };
  assert.deepEqual([rec.status, rec.error_info], ['failure', ['INTERNAL_ERROR', 'Unknown format qcow9']]);
  const basic = await fetch(`${sim.url}/pool/xmldbdump`, {
    headers: { authorization: `Basic ${Buffer.from('root:secret').toString('base64')}` },
  });
  assert.equal(basic.status, 200);
  assert.match(await basic.text(), /<table name="VM">/);
  const cookie = await fetch(`${sim.url}/export_metadata?ref=${encodeURIComponent(vmRef(sim, 'DEV-RH6'))}`, {
    headers: { cookie: `session_id=${s}` },
  });
  assert.equal(cookie.status, 200);
  assert.equal(Number(cookie.headers.get('content-length')), (await cookie.arrayBuffer()).byteLength);
});

test('every record of a class has exactly the datamodel fields', async (t) => {
  const sim = await simulator(t);
  const s = await login(sim);
  const { fieldsOf, LISTED_CLASSES } = await import('../sim/datamodel');
  for (const cls of LISTED_CLASSES) {
    const records = (await call(sim, `${cls}.get_all_records`, [s])).result as Record<string, Record<string, unknown>>;
    const expected = fieldsOf(cls).map((f) => f.name);
    for (const rec of Object.values(records)) assert.deepEqual(Object.keys(rec), expected, `${cls} field set`);
  }
});
