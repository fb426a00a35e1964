/**
 * @jest-environment jsdom
 *
 * The home page rendered: big labelled tiles, what someone not yet bound
 * sees, the error card and its 重试, and the tab pages it opens with switchTab.
 */
const { installWx, requestsMade, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, within, textsWithin, sleep } = require('../helpers/render')
const { RESIDENT, LIAISON } = require('../helpers/fixtures')

const HOME = loadPage('index')

const DOWN = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function waitFor(condition) {
  for (let i = 0; i < 100 && !condition(); i += 1) await sleep(5)
}

async function open() {
  const page = renderPage(HOME)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  return page
}

test('a resident sees the tiles, each named for a screen reader, with the unread count', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/me/notifications?limit=1', { status: 200, body: { items: [], unread: 3, next_before: null } })
  const page = await open()
  const tiles = page.querySelectorAll('.shortcut')
  expect(tiles.map((t) => attr(t, 'aria-label'))).toEqual([
    '我要报事：向小区反映问题',
    '我的报事：看反映过的问题办得怎样',
    '消息，3 条未读',
  ])
  expect(tiles.every((t) => attr(t, 'aria-role') === 'button')).toBe(true)
  expect(texts(page, '.badge')).toEqual(['3'])
  expect(texts(page, '.household-label')).toEqual(['阳光小区 1-2-301'])

  tiles[0].dispatchEvent('tap')
  tiles[2].dispatchEvent('tap')
  page.querySelector('.fee-entry').dispatchEvent('tap')
  await sleep(0)
  expect(wx.switchTab.mock.calls.map(([o]) => o.url)).toEqual([
    '/pages/report/index',
    '/pages/inbox/index',
    '/pages/bills/index',
  ])
  expect(wx.navigateTo).not.toHaveBeenCalled()
})

test('a liaison also gets 工作台', async () => {
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on('GET /api/v1/me/notifications?limit=1', { status: 200, body: { items: [], unread: 0, next_before: null } })
  const page = await open()
  expect(texts(page, '.shortcut').pop()).toBe('工作台')
})

test('someone not yet bound is told what binding a flat gives them', async () => {
  server.on('GET /api/v1/me', { status: 200, body: { id: 9, nickname: '', roles: [], households: [] } })
  const page = await open()
  expect(page.querySelector('.shortcuts')).toBeUndefined()
  expect(texts(page, '.bind-entry .muted')[0]).toMatch(/报事（向小区反映问题）/)
  page.querySelector('.bind-button').dispatchEvent('tap')
  await sleep(0)
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/bind/index' })
})

test('a failed load says why, and 重试 loads it again', async () => {
  server.on('GET /api/v1/me', DOWN, { status: 200, body: RESIDENT })
  server.on('GET /api/v1/me/notifications?limit=1', { status: 200, body: { items: [], unread: 0, next_before: null } })
  const page = await open()
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['服务暂时不可用'])
  expect(page.querySelector('.shortcuts')).toBeUndefined()
  within(page, '.error', '.retry').dispatchEvent('tap')
  await waitFor(() => page.querySelector('.shortcuts'))
  expect(page.querySelector('.error')).toBeUndefined()
  expect(requestsMade(wx).filter((r) => r === 'GET /api/v1/me')).toHaveLength(2)
})

test('in care mode (关怀模式) the page sets a larger root font size', async () => {
  ;({ wx, server } = installWx({ storage: signedIn(), fontScale: 1.4 }))
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/me/notifications?limit=1', { status: 200, body: { items: [], unread: 0, next_before: null } })
  const page = await open()
  expect(page.instance.data.rootFontSize).toBe('22.4px')
})
