/**
 * @jest-environment jsdom
 *
 * The WXML of 新报事提醒我 (the workspace card, the offer after handling an
 * issue) and of 谁能收到提醒, rendered with the pages' own handlers: what a
 * handler or the committee sees, and what a tap on it does. (That WeChat is
 * asked inside the tap itself, before any await, is checked in
 * workspace.test.js and issue.test.js: simulate delivers taps asynchronously.)
 */
const { installWx, sentBody, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, sleep } = require('../helpers/render')
const { COMMITTEE, issueItem, issueDetail, pushStatus, reachability } = require('../helpers/fixtures')

const WORKSPACE = loadPage('workspace')
const ISSUE = loadPage('issue')
const REACH = loadPage('reach')

const SUBSCRIBE = 'POST /api/v1/me/subscriptions'

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function waitFor(condition) {
  for (let i = 0; i < 100 && !condition(); i += 1) await sleep(10)
}

async function openWorkspace(status) {
  server.on('GET /api/v1/issues?handled=true&status=submitted', { status: 200, body: { items: [issueItem()], next_cursor: null } })
  server.on('GET /api/v1/me/subscriptions', { status: 200, body: status })
  const page = renderPage(WORKSPACE)
  await page.instance.onShow()
  await sleep(0)
  return page
}

test('the workspace shows the pushes left and a big 新报事提醒我; a tap asks WeChat and shows the new count', async () => {
  server.on(SUBSCRIBE, { status: 200, body: pushStatus({ new_issue: 1, reminder: 1 }) })
  const page = await openWorkspace(pushStatus({ new_issue: 0, reminder: 0 }))
  expect(texts(page, '.push-line')).toEqual(['还能收到 0 条新报事提醒 / 0 条催办提醒'])
  expect(texts(page, '.push-ask')).toEqual(['新报事提醒我'])
  page.querySelector('.push-ask').dispatchEvent('tap')
  await sleep(10) // simulate delivers the tap asynchronously
  expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(
    expect.objectContaining({ tmplIds: ['tmpl-new', 'tmpl-remind'] })
  )
  await waitFor(() => texts(page, '.push-line')[0].startsWith('还能收到 1'))
  expect(sentBody(wx, SUBSCRIBE)).toEqual({ accepted: ['tmpl-new', 'tmpl-remind'] })
  expect(texts(page, '.push-line')).toEqual(['还能收到 1 条新报事提醒 / 1 条催办提醒'])
})

test('a handler who follows the official account is told so, with no button', async () => {
  const channels = { new_issue: 'official_account', reminder: 'official_account' }
  const page = await openWorkspace(pushStatus({}, { linked: true, channels }))
  expect(texts(page, '.push-line')).toEqual(['您已关注公众号：新报事和催办会直接推送到微信，不用点按。'])
  expect(page.querySelector('.push-ask')).toBeUndefined()
})

test('after accepting an issue with few pushes left, the page offers 新报事提醒我; a tap asks WeChat', async () => {
  server.on('GET /api/v1/issues/3', { status: 200, body: issueDetail({ actions: ['accept'] }) })
  server.on('POST /api/v1/issues/3/transitions', {
    status: 200,
    body: issueDetail({ status: 'accepted', status_label: '处理中', actions: ['refer', 'resolve'] }),
  })
  server.on('GET /api/v1/me/subscriptions', { status: 200, body: pushStatus({ new_issue: 1, reminder: 4 }) })
  server.on(SUBSCRIBE, { status: 200, body: pushStatus({ new_issue: 3, reminder: 5 }) })
  const page = renderPage(ISSUE)
  await page.instance.onLoad({ id: '3' })
  await sleep(0)
  expect(page.querySelector('.handler-offer')).toBeUndefined()
  page.querySelector('.action--accept').dispatchEvent('tap')
  await waitFor(() => page.querySelector('.offer-ask'))
  expect(texts(page, '.offer-line')).toEqual(['还能收到 1 条新报事提醒 / 4 条催办提醒'])
  expect(wx.requestSubscribeMessage).not.toHaveBeenCalled()
  page.querySelector('.offer-ask').dispatchEvent('tap')
  await sleep(10)
  expect(wx.requestSubscribeMessage).toHaveBeenCalledWith(
    expect.objectContaining({ tmplIds: ['tmpl-new', 'tmpl-remind'] })
  )
  await waitFor(() => !page.querySelector('.handler-offer'))
  expect(page.querySelector('.handler-offer')).toBeUndefined()
})

test('谁能收到提醒 lists the gaps first, in plain words', async () => {
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on('GET /api/v1/compounds/yangguang/reachability', { status: 200, body: reachability() })
  const page = renderPage(REACH)
  await page.instance.onLoad()
  await sleep(0)
  expect(texts(page, '.headline')).toEqual(['有 2 个单元收不到新报事的微信推送'])
  expect(texts(page, '.unit-label')).toEqual(['1号楼3单元', '1号楼2单元', '2号楼1单元', '1号楼1单元'])
  expect(texts(page, '.unit-status')[0]).toBe('没有单元联络人，新报事只推送给业委会')
  expect(texts(page, '.unit .person-name')).toEqual(['王大姐', '赵叔', '李师傅'])
  expect(texts(page, '.lead .person-text')).toEqual(['还能推送 2 次'])
})
