/**
 * @jest-environment jsdom
 *
 * The review page as a reviewer sees it: a flood of requests does not hide the
 * real one, 加载更多 (or scrolling down) reaches every request; a failed load
 * says why with 重试; nothing to review says so; 拒绝 asks for a reason in a
 * big dialog; every button says whose request it decides.
 */
const { installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, within, textsWithin, sleep } = require('../helpers/render')

const REVIEW = loadPage('review')
const ROUTE = 'GET /api/v1/bindings?status=pending'
const DOWN = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }

const request = (id) => ({
  id,
  status: 'pending',
  name: id === 3 ? '王秀兰' : '刷单',
  relation: 'owner',
  reason: null,
  household: { id: 10 + id, label: `1-1-10${id}`, area_m2: '60.00' },
  created_at: '2024-05-02T18:05:00+08:00',
  decided_at: null,
})

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function waitFor(condition) {
  for (let i = 0; i < 200 && !condition(); i += 1) await sleep(5)
  expect(condition()).toBeTruthy()
}

async function open() {
  const page = renderPage(REVIEW)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  return page
}

test('加载更多 brings the next page until the last request is on screen', async () => {
  server.on(ROUTE, { status: 200, body: { items: [request(1), request(2)], next_cursor: 'Mg', total: 3 } })
  server.on(`${ROUTE}&cursor=Mg`, { status: 200, body: { items: [request(3)], next_cursor: null, total: 3 } })
  const page = await open()
  expect(texts(page, '.summary')).toEqual(['共 3 条待审核，先申请的排在前面'])
  expect(texts(page, '.item-label')).toEqual(['1-1-101', '1-1-102'])
  expect(texts(page, '.item-who')).toEqual(['刷单 · 业主', '刷单 · 业主'])
  expect(texts(page, '.more')).toEqual(['加载更多'])
  page.querySelector('.more').dispatchEvent('tap')
  await waitFor(() => texts(page, '.item-label').length === 3)
  expect(texts(page, '.item-label')).toEqual(['1-1-101', '1-1-102', '1-1-103'])
  expect(page.querySelector('.more')).toBeUndefined()
  expect(texts(page, '.end')).toEqual(['没有更多了'])
})

test('a single page shows no 加载更多', async () => {
  server.on(ROUTE, { status: 200, body: { items: [request(1)], next_cursor: null, total: 1 } })
  const page = await open()
  expect(page.querySelector('.more')).toBeUndefined()
  expect(texts(page, '.action')).toEqual(['拒绝', '通过'])
})

test('a failed load says why, and 重试 loads the requests', async () => {
  server.on(ROUTE, DOWN, { status: 200, body: { items: [request(1)], next_cursor: null, total: 1 } })
  const page = await open()
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['服务暂时不可用'])
  expect(page.querySelector('.item')).toBeUndefined()
  within(page, '.error', '.retry').dispatchEvent('tap')
  await waitFor(() => page.querySelector('.item'))
  expect(texts(page, '.item-label')).toEqual(['1-1-101'])
  expect(page.querySelector('.error')).toBeUndefined()
})

test('a next page that fails keeps the list and offers 重试 in its place', async () => {
  server.on(ROUTE, { status: 200, body: { items: [request(1)], next_cursor: 'MQ', total: 2 } })
  server.on(`${ROUTE}&cursor=MQ`, { fail: 'timeout' }, { status: 200, body: { items: [request(2)], next_cursor: null } })
  const page = await open()
  await page.instance.onReachBottom()
  await sleep(0)
  expect(texts(page, '.more-error .error-text')).toEqual(['网络不给力，请稍后再试'])
  expect(texts(page, '.item-label')).toEqual(['1-1-101'])
  page.querySelector('.more-error .more').dispatchEvent('tap')
  await waitFor(() => texts(page, '.item-label').length === 2)
  expect(page.querySelector('.more-error')).toBeUndefined()
})

test('nothing to review: says so and when something will come', async () => {
  server.on(ROUTE, { status: 200, body: { items: [], next_cursor: null, total: 0 } })
  const page = await open()
  expect(textsWithin(page, '.nothing', '.empty-state-text')).toEqual(['没有待审核的申请'])
  expect(textsWithin(page, '.nothing', '.empty-state-hint')[0]).toContain('会出现在这里')
  expect(page.querySelector('.summary')).toBeUndefined()
})

test('each button says whose request it decides', async () => {
  server.on(ROUTE, { status: 200, body: { items: [request(3)], next_cursor: null, total: 1 } })
  const page = await open()
  expect(attr(page.querySelector('.reject'), 'aria-label')).toBe('拒绝 1-1-103 王秀兰 的申请')
  expect(attr(page.querySelector('.approve'), 'aria-label')).toBe('通过 1-1-103 王秀兰 的申请')
})

test('拒绝 asks for a reason: an empty one is refused, a written one is sent', async () => {
  server.on(
    ROUTE,
    { status: 200, body: { items: [request(3)], next_cursor: null, total: 1 } },
    { status: 200, body: { items: [], next_cursor: null, total: 0 } }
  )
  server.on('POST /api/v1/bindings/3/reject', { status: 200, body: request(3) })
  const page = await open()
  expect(within(page, '.reject-dialog', '.dialog')).toBeUndefined()
  page.querySelector('.reject').dispatchEvent('tap')
  await sleep(0)
  expect(textsWithin(page, '.reject-dialog', '.dialog-title')).toEqual(['拒绝理由'])
  expect(textsWithin(page, '.reject-dialog', '.dialog-hint')).toEqual(['申请人会看到这条理由'])
  within(page, '.reject-dialog', '.dialog-confirm').dispatchEvent('tap')
  await sleep(0)
  expect(textsWithin(page, '.reject-dialog', '.dialog-error')).toEqual(['请填写拒绝理由'])
  expect(requestsMade(wx)).toEqual([ROUTE])

  const box = within(page, '.reject-dialog', '.dialog-input')
  box.dispatchEvent('input', { detail: { value: ' 本户没有这位家人 ' } })
  await sleep(0)
  within(page, '.reject-dialog', '.dialog-confirm').dispatchEvent('tap')
  await waitFor(() => page.querySelector('.nothing'))
  expect(sentBody(wx, 'POST /api/v1/bindings/3/reject')).toEqual({ reason: '本户没有这位家人' })
  expect(within(page, '.reject-dialog', '.dialog')).toBeUndefined()
})
