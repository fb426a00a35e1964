/**
 * @jest-environment jsdom
 *
 * 关爱走访 (pages/visit): the household and its tag from the task, the last
 * visits to ask after, how it went (挺好 / 一般 / 不太好), 上门 or 电话, the day
 * (never after today), a note; a concern or an issue is asked first (the
 * committee is told at once); refusals shown on the form.
 */
const { installWx, requestsMade, sentBody, signedIn, cancelModal } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')
const { loadPage, renderPage, texts, attr, sleep } = require('../helpers/render')
const { todayInShanghai } = require('../../../miniprogram/utils/format')

const VISIT_PAGE = loadPage('visit')

const daysAgo = (n) => {
  const d = new Date(`${todayInShanghai()}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - n)
  return d.toISOString().slice(0, 10)
}

const HISTORY = {
  items: [
    { id: 51, status: 'due', due_on: todayInShanghai(), tag: 'elderly_alone' },
    { id: 48, status: 'done', method: 'phone', how: 'fair', concern: false, note: '说腿疼，这几天少下楼', visited_on: daysAgo(7), recorded_by: '李师傅' },
    { id: 45, status: 'cancelled', due_on: daysAgo(20) },
  ],
}

const OPTIONS = { id: '51', household_id: '32', label: encodeURIComponent('1-3-102'), tag: 'elderly_alone', due_on: todayInShanghai() }

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('GET /api/v1/households/32/visits', { status: 200, body: HISTORY })
  server.on('POST /api/v1/visits/51/record', { status: 200, body: { id: 51, status: 'done' } })
})

async function open() {
  const page = createPage('visit')
  await page.onLoad(OPTIONS)
  return page
}

test('the household, its tag and the last visit recorded', async () => {
  const page = await open()
  expect(page.data).toMatchObject({ label: '1-3-102', tagLabel: '独居老人', method: 'visit', visitedOn: todayInShanghai() })
  expect(page.data.past.map((v) => [v.line, v.note, v.by])).toEqual([['电话 · 一般', '说腿疼，这几天少下楼', '李师傅']])
})

test('nothing is sent without how the resident is', async () => {
  const page = await open()
  await page.submit()
  expect(page.data.errors).toEqual({ how: '请选住户现在怎么样' })
  expect(requestsMade(wx)).toEqual(['GET /api/v1/households/32/visits'])
})

test('a plain visit is recorded without a question, then back to the list', async () => {
  const page = await open()
  page.pickHow(tap({ value: 'good' }))
  page.pickMethod(tap({ value: 'phone' }))
  page.onDay({ detail: { value: daysAgo(1) } })
  page.onNote({ detail: { value: '  精神不错 ' } })
  await page.submit()
  expect(wx.showModal).not.toHaveBeenCalled()
  expect(sentBody(wx, 'POST /api/v1/visits/51/record')).toEqual({
    how: 'good',
    method: 'phone',
    visited_on: daysAgo(1),
    concern: false,
    open_issue: false,
    note: '精神不错',
  })
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已记录走访', icon: 'success' })
  expect(wx.navigateBack).toHaveBeenCalled()
})

test('a concern needs a line saying what, and is asked first with the issue', async () => {
  const page = await open()
  page.pickHow(tap({ value: 'poor' }))
  page.onConcern({ detail: { value: true } })
  page.onOpenIssue({ detail: { value: true } })
  await page.submit()
  expect(page.data.errors.note).toBe('有情况要告诉业委会，请写一句是什么情况')
  page.onNote({ detail: { value: '发烧，家里没人' } })
  cancelModal(wx)
  await page.submit()
  expect(wx.showModal.mock.calls[0][0]).toMatchObject({
    title: '走访 1-3-102',
    content: '提交后将马上通知业委会，并为本户生成一条“困难帮扶”报事，由本单元联络人跟进。确定提交？',
  })
  expect(requestsMade(wx)).not.toContain('POST /api/v1/visits/51/record')
  await page.submit()
  expect(sentBody(wx, 'POST /api/v1/visits/51/record')).toMatchObject({ how: 'poor', concern: true, open_issue: true, note: '发烧，家里没人' })
})

test('a refusal stays on the form', async () => {
  server.on('POST /api/v1/visits/51/record', { status: 409, body: { code: 'visit_closed', message: '这次走访已经记录过了' } })
  const page = await open()
  page.pickHow(tap({ value: 'fair' }))
  await page.submit()
  expect(page.data.formError).toBe('这次走访已经记录过了')
  expect(page.data.sending).toBe(false)
  expect(wx.navigateBack).not.toHaveBeenCalled()
})

test('past visits that cannot be read are said in a line; the form still works', async () => {
  server.on('GET /api/v1/households/32/visits', { fail: 'timeout' })
  const page = await open()
  expect(page.data.error).toBe('')
  expect(page.data.pastError).toBe('以前的走访记录暂时读不到：网络不给力，请稍后再试')
  page.pickHow(tap({ value: 'good' }))
  await page.submit()
  expect(requestsMade(wx)).toContain('POST /api/v1/visits/51/record')
})

test('rendered: big answers as radios, the last visit, the switches named', async () => {
  const page = renderPage(VISIT_PAGE)
  await page.instance.onLoad(OPTIONS)
  await sleep(0)
  expect(texts(page, '.page-title')).toEqual(['1-3-102'])
  expect(texts(page, '.how')).toEqual(['挺好', '一般', '不太好'])
  expect(texts(page, '.picker')).toEqual(['今天'])
  page.querySelectorAll('.how')[2].dispatchEvent('tap')
  await sleep(0)
  expect(attr(page.querySelectorAll('.how')[2], 'aria-checked')).toBe(true)
  const md = `${Number(daysAgo(7).slice(5, 7))}月${Number(daysAgo(7).slice(8, 10))}日`
  const day = daysAgo(7).slice(0, 4) === todayInShanghai().slice(0, 4) ? md : `${daysAgo(7).slice(0, 4)}年${md}`
  expect(texts(page, '.past-line')).toEqual([`${day} 电话 · 一般 · 李师傅`])
  expect(texts(page, '.past-note')).toEqual(['说腿疼，这几天少下楼'])
  expect(texts(page, '.switch-title')).toEqual(['有情况，要告诉业委会', '需要帮忙办事'])
})

test('查看本户登记 opens the record, read for this visit', async () => {
  const page = await open()
  page.openHousehold()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: `/pages/household/index?id=32&reason=${encodeURIComponent('关爱走访')}` })
})

// The escalation push (server/services/care/escalation.py) opens
// pages/visit/index?id=<visit> and nothing else: the page finds the rest in
// my tasks, the ones a building lead or the committee is pushed about.
describe('opened from the push about a missed visit (?id= only)', () => {
  const TASK = {
    kind: 'care_visit',
    visit_id: 51,
    household_id: 32,
    label: '1-3-102',
    tag: 'elderly_alone',
    due_on: daysAgo(10),
    overdue: true,
    escalation_level: 1,
  }

  test('the household, its tag and day come from my tasks; the form records that visit', async () => {
    server.on('GET /api/v1/me/tasks', { status: 200, body: { items: [{ kind: 'return_visit', visit_id: 51, issue_id: 9 }, TASK] } })
    const page = createPage('visit')
    await page.onLoad({ id: '51' })
    expect(page.data).toMatchObject({ label: '1-3-102', tagLabel: '独居老人', gone: false })
    expect(page.data.due).not.toBe('')
    expect(page.data.past.map((v) => v.note)).toEqual(['说腿疼，这几天少下楼'])
    page.openHousehold()
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: `/pages/household/index?id=32&reason=${encodeURIComponent('关爱走访')}` })
    page.pickHow(tap({ value: 'good' }))
    await page.submit()
    expect(requestsMade(wx)).toContain('POST /api/v1/visits/51/record')
  })

  test('a visit no longer mine to make says so, with the way to my list', async () => {
    server.on('GET /api/v1/me/tasks', { status: 200, body: { items: [] } })
    const page = createPage('visit')
    await page.onLoad({ id: '51' })
    expect(page.data.gone).toBe(true)
    expect(requestsMade(wx)).not.toContain('GET /api/v1/households/0/visits')
    page.goTasks()
    expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/households/index?tab=tasks' })
  })

  test('rendered: no form for a visit that is not there, the way out instead', async () => {
    server.on('GET /api/v1/me/tasks', { status: 200, body: { items: [] } })
    const page = renderPage(VISIT_PAGE)
    await page.instance.onLoad({ id: '51' })
    await sleep(0)
    expect(texts(page, '.gone-text')).toEqual(['这次走访已经记录过了，或者不归您走访。'])
    expect(texts(page, '.submit')).toEqual([])
    expect(texts(page, '.open-household')).toEqual([])
    expect(texts(page, '.go-tasks')).toEqual(['去看走访任务'])
  })
})

// Opened straight from the push, the form is the only page: there is nothing
// to go back to, so the recorded visit leads to 走访任务 instead of staying.
test('recorded from a page opened by the push: on to 走访任务, not back to nothing', async () => {
  global.getCurrentPages = jest.fn(() => [{ route: 'pages/visit/index' }])
  try {
    const page = await open()
    page.pickHow(tap({ value: 'good' }))
    await page.submit()
    expect(wx.navigateBack).not.toHaveBeenCalled()
    expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/households/index?tab=tasks' })
  } finally {
    delete global.getCurrentPages
  }
})

// The server takes a visit day from 366 days back to today (VisitRecordIn:
// Day(back=366, ahead=0)): the date picker offers only those.
test('rendered: the day picker runs from a year back to today', async () => {
  const page = renderPage(VISIT_PAGE)
  await page.instance.onLoad(OPTIONS)
  await sleep(0)
  expect(page.instance.data.earliest).toBe(daysAgo(366))
  expect(page.instance.data.today).toBe(todayInShanghai())
})
