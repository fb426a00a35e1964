/**
 * @jest-environment jsdom
 *
 * 人员与角色 and 领取任命 rendered: the new code in very large type with its QR
 * image and plain instructions; 免去 only for the committee; the reason box;
 * the redeem page's big input and 扫一扫.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, sleep } = require('../helpers/render')
const { COMMITTEE, SUPERVISOR, COMPOUND } = require('../helpers/fixtures')

const PEOPLE = loadPage('people')
const REDEEM = loadPage('redeem')
const BASE = '/api/v1/compounds/yangguang'

const LIAISON_ROW = {
  membership_id: 5,
  user_id: 20,
  name: '李师傅',
  role: 'liaison',
  role_label: '单元联络人',
  scope_label: '1号楼2单元',
  title: '1号楼2单元联络人',
  since: '2026-03-01T09:00:00+08:00',
  term_start: null,
  term_end: null,
  due_for_reelection: false,
  reachable: false,
  channel: 'inbox',
  phone: null,
}

let server

beforeEach(() => {
  ;({ server } = installWx({ storage: signedIn() }))
})

async function openPeople(user, items = [LIAISON_ROW]) {
  server.on('GET /api/v1/me', { status: 200, body: user })
  server.on(`GET ${BASE}/people`, { status: 200, body: { items, open_invites: 0, committee_due: 0 } })
  server.on(`GET ${BASE}/role-invites`, { status: 200, body: { items: [] } })
  server.on(`GET ${BASE}`, { status: 200, body: COMPOUND })
  const page = renderPage(PEOPLE)
  await page.instance.onLoad()
  await sleep(0)
  return page
}

test('the committee sees 新增任命 and 免去; the person shows where and how a push reaches them', async () => {
  const page = await openPeople(COMMITTEE)
  expect(texts(page, '.appoint')).toEqual(['新增任命'])
  expect(texts(page, '.person-name')).toEqual(['李师傅'])
  expect(texts(page, '.reach')).toEqual(['收不到推送'])
  expect(texts(page, '.revoke')).toEqual(['免去'])
  page.querySelector('.revoke').dispatchEvent('tap')
  await sleep(0)
  expect(page.instance.data.revoking).toMatchObject({ name: '李师傅' })
  expect(page.querySelector('.revoke-dialog')).toBeDefined()
})

test('设定任期 for another committee member only, never my own, with two date pickers', async () => {
  const member = (id, userId, name) =>
    Object.assign({}, LIAISON_ROW, { membership_id: id, user_id: userId, name, role: 'committee', title: '业委会委员', term_start: '2026-03-01', term_end: '2031-02-28' })
  const page = await openPeople(COMMITTEE, [member(1, COMMITTEE.id, '张主任'), member(2, 11, '钱委员'), LIAISON_ROW])
  expect(texts(page, '.term')).toEqual(['设定任期'])
  page.querySelector('.term').dispatchEvent('tap')
  await sleep(0)
  expect(page.instance.data.terming).toMatchObject({ id: 2, name: '钱委员', start: '2026-03-01', end: '2031-02-28' })
  expect(texts(page, '.save-term')).toEqual(['保存任期'])
})

test('the supervisor reads, with no 免去 and no 新增任命', async () => {
  const page = await openPeople(SUPERVISOR)
  expect(texts(page, '.person-name')).toEqual(['李师傅'])
  expect(page.querySelector('.revoke')).toBeUndefined()
  expect(page.querySelector('.appoint')).toBeUndefined()
})

test('a new invite: the code in very large type, the QR image, until when, and what to do', async () => {
  const page = await openPeople(COMMITTEE)
  await page.instance.openAppoint()
  page.instance.onRolePick({ detail: { value: 0 } })
  server.on(`POST ${BASE}/role-invites`, {
    status: 201,
    body: {
      id: 6,
      code: 'ABCD-2345',
      qr: 'data:image/png;base64,iVBOR',
      role: 'committee',
      role_label: '业委会委员',
      scope_label: '小区',
      title: '业委会委员',
      name: null,
      expires_at: '2026-12-12T09:00:00+08:00',
    },
  })
  await page.instance.submitInvite()
  await sleep(0)
  expect(texts(page, '.issued-code')).toEqual(['ABCD-2345'])
  expect(attr(page.querySelector('.issued-qr'), 'src')).toBe('data:image/png;base64,iVBOR')
  expect(texts(page, '.issued-expires')[0]).toContain('前有效，只能用一次')
  expect(texts(page, '.issued-how')).toEqual(["请对方在邻里首页点'我有任命邀请码'，扫码或输入邀请码"])
})

test('领取任命 has a big labelled box, 领取任命 and 扫一扫', async () => {
  const page = renderPage(REDEEM)
  await page.instance.onLoad()
  await sleep(0)
  expect(attr(page.querySelector('.code-input'), 'aria-label')).toBe('任命邀请码')
  expect(texts(page, '.submit')).toEqual(['领取任命'])
  expect(texts(page, '.scan')).toEqual(['扫一扫'])
})

test('more people than one page: a big 显示更多 button with plain words, then the rest', async () => {
  const row = (id, name) => Object.assign({}, LIAISON_ROW, { membership_id: id, user_id: id, name })
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on(
    `GET ${BASE}/people`,
    { status: 200, body: { items: [row(1, '李师傅')], total: 2, counts: { liaison: 2 }, next_cursor: '1', open_invites: 0, committee_due: 0 } }
  )
  server.on(
    `GET ${BASE}/people?cursor=1`,
    { status: 200, body: { items: [row(2, '王阿姨')], total: 2, counts: { liaison: 2 }, next_cursor: null, open_invites: 0, committee_due: 0 } }
  )
  server.on(`GET ${BASE}/role-invites`, { status: 200, body: { items: [] } })
  const page = renderPage(PEOPLE)
  await page.instance.onLoad()
  await sleep(0)
  expect(texts(page, '.group .card-title')).toEqual(['单元联络人（2 人）'])
  expect(texts(page, '.more')).toEqual(['再显示 1 位（还有 1 位没显示）'])
  page.querySelector('.more').dispatchEvent('tap')
  await sleep(0)
  await sleep(0)
  expect(texts(page, '.person-name')).toEqual(['李师傅', '王阿姨'])
  expect(texts(page, '.more')).toEqual([])
})
