/**
 * @jest-environment jsdom
 *
 * 绑定房屋 shows the binding notice (GET /consent/binding: what is collected,
 * why, who sees it) above 提交申请, and the request carries the version read;
 * without the notice the form still works and sends no version.
 */
const { installWx, sentBody, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, sleep } = require('../helpers/render')
const { COMPOUND } = require('../helpers/fixtures')

const BIND = loadPage('bind')
const NOTICE = { kind: 'binding', version: 2, title: '绑定房屋个人信息告知', text: '为核实您是本户住户，我们收集您的微信标识……' }

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
  server.on('GET /api/v1/me/bindings', { status: 200, body: { items: [] } })
  server.on('POST /api/v1/bindings', { status: 201, body: { id: 5 } })
})

async function openFilled() {
  const page = renderPage(BIND)
  await page.instance.onLoad({ compound: 'yangguang' })
  await sleep(0)
  const i = page.instance
  i.onBuildingChange({ detail: { value: '0' } })
  i.onUnitChange({ detail: { value: '1' } })
  i.onInput({ currentTarget: { dataset: { field: 'room' } }, detail: { value: '301' } })
  i.onInput({ currentTarget: { dataset: { field: 'name' } }, detail: { value: '王阿姨' } })
  i.onRelationChange({ detail: { value: '0' } })
  await sleep(0)
  return page
}

test('the notice is shown before 提交申请 and its version goes with the request', async () => {
  server.on('GET /api/v1/consent/binding', { status: 200, body: NOTICE })
  const page = await openFilled()
  expect(texts(page, '.consent-title')).toEqual(['绑定房屋个人信息告知'])
  expect(texts(page, '.consent-text')).toEqual([NOTICE.text])
  expect(texts(page, '.consent-agree')).toEqual(['提交即表示您已阅读并同意以上内容。'])
  await page.instance.submit()
  expect(sentBody(wx, 'POST /api/v1/bindings')).toEqual({
    compound: 'yangguang',
    building: 1,
    unit: 2,
    room: '301',
    name: '王阿姨',
    relation: 'owner',
    consent_version: 2,
  })
})

test('a notice that cannot be read hides the card; the request goes without a version', async () => {
  server.on('GET /api/v1/consent/binding', { fail: 'timeout' })
  const page = await openFilled()
  expect(page.querySelector('.consent')).toBeUndefined()
  await page.instance.submit()
  expect(sentBody(wx, 'POST /api/v1/bindings')).not.toHaveProperty('consent_version')
})

test('an invite code carries the version of the notice read too', async () => {
  server.on('GET /api/v1/consent/binding', { status: 200, body: NOTICE })
  server.on('POST /api/v1/invites/redeem', {
    status: 200,
    body: { household: { id: 11, label: '1-2-301' }, user: { id: 1, roles: [], households: [] } },
  })
  const page = renderPage(BIND)
  await page.instance.onLoad({})
  await sleep(0)
  const i = page.instance
  i.switchMode({ currentTarget: { dataset: { mode: 'invite' } } })
  i.onInput({ currentTarget: { dataset: { field: 'code' } }, detail: { value: 'K7M2-Q9PX' } })
  i.onInput({ currentTarget: { dataset: { field: 'name' } }, detail: { value: '王阿姨' } })
  i.onRelationChange({ detail: { value: '0' } })
  await sleep(0)
  expect(texts(page, '.consent-title')).toEqual(['绑定房屋个人信息告知'])
  await i.submit()
  expect(sentBody(wx, 'POST /api/v1/invites/redeem')).toEqual({
    code: 'K7M2-Q9PX',
    name: '王阿姨',
    relation: 'owner',
    consent_version: 2,
  })
})
