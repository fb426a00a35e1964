/**
 * @jest-environment jsdom
 *
 * 绑定房屋 rendered: what binding means, the form's labelled tabs and pickers,
 * sign-in failing (error card, 重试), my requests failing on their own (the
 * form stays usable), and 撤回 asking first in plain words.
 */
const { installWx, requestsMade, signedIn, cancelModal } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, within, textsWithin, sleep } = require('../helpers/render')
const { COMPOUND } = require('../helpers/fixtures')

const BIND = loadPage('bind')
const DOWN = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }
const PENDING = {
  id: 5,
  status: 'pending',
  name: '王阿姨',
  relation: 'owner',
  reason: null,
  household: { id: 11, label: '1-2-301', area_m2: '72.00' },
  created_at: '2024-05-01T09:30:00+08:00',
  decided_at: null,
}

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
})

async function waitFor(condition) {
  for (let i = 0; i < 100 && !condition(); i += 1) await sleep(5)
}

async function open(options = { compound: 'yangguang' }) {
  const page = renderPage(BIND)
  await page.instance.onLoad(options)
  await sleep(0)
  return page
}

test('says what binding is; tabs and pickers are named; no mini buttons', async () => {
  server.on('GET /api/v1/me/bindings', { status: 200, body: { items: [PENDING] } })
  const page = await open()
  expect(texts(page, '.intro')[0]).toMatch(/^绑定房屋，就是告诉小区您住哪一户/)
  const tabs = page.querySelectorAll('.tab')
  expect(tabs.map((t) => attr(t, 'aria-role'))).toEqual(['tab', 'tab'])
  expect(attr(tabs[0], 'aria-selected')).toBe(true)
  expect(texts(page, '.compound-name')).toEqual(['阳光小区'])
  expect(attr(page.querySelector('.picker'), 'aria-label')).toBe('选择楼栋')
  expect(texts(page, '.cancel')).toEqual(['撤回申请'])
  expect(attr(page.querySelector('.cancel'), 'size')).toBeUndefined()
})

test('sign-in failing shows the error card; 重试 opens the form', async () => {
  ;({ wx, server } = installWx())
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
  server.on('POST /api/v1/auth/login', DOWN, {
    status: 200,
    body: { token: 't', expires_in: 3600, user: { id: 1, roles: [], households: [] } },
  })
  server.on('GET /api/v1/me/bindings', { status: 200, body: { items: [] } })
  const page = await open()
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['服务暂时不可用'])
  expect(page.querySelector('.submit')).toBeUndefined()
  within(page, '.error', '.retry').dispatchEvent('tap')
  await waitFor(() => page.querySelector('.submit'))
  expect(texts(page, '.submit')).toEqual(['提交申请'])
})

test('my requests failing keep the form, with their own 重试', async () => {
  server.on('GET /api/v1/me/bindings', DOWN, { status: 200, body: { items: [PENDING] } })
  const page = await open()
  expect(texts(page, '.submit')).toEqual(['提交申请'])
  expect(textsWithin(page, '.requests-error', '.error-card-text')).toEqual(['服务暂时不可用'])
  within(page, '.requests-error', '.retry').dispatchEvent('tap')
  await waitFor(() => page.querySelector('.request'))
  expect(texts(page, '.request-label')).toEqual(['1-2-301'])
  expect(page.querySelector('.requests-error')).toBeUndefined()
})

test('撤回 asks first in plain words; 不撤回 keeps the request', async () => {
  server.on('GET /api/v1/me/bindings', { status: 200, body: { items: [PENDING] } })
  const page = await open()
  cancelModal(wx)
  page.querySelector('.cancel').dispatchEvent('tap')
  await waitFor(() => wx.showModal.mock.calls.length)
  await sleep(5)
  expect(wx.showModal).toHaveBeenCalledWith(
    expect.objectContaining({ title: '撤回申请', confirmText: '撤回', cancelText: '不撤回' })
  )
  expect(requestsMade(wx)).not.toContain('POST /api/v1/bindings/5/cancel')
})
