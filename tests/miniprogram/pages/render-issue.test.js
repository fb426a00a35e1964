/**
 * @jest-environment jsdom
 *
 * 事项详情 rendered: the error card and its 重试, a plain line under the status
 * (转办, 不予受理, 办结 explained), the return visit's 已解决 / 仍未解决 asked
 * first, stars a screen reader can name, the action form explaining its act,
 * and deleting a photo of the finished work asked first.
 */
const { installWx, requestsMade, signedIn, pickPhotos, cancelModal } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, within, textsWithin, sleep } = require('../helpers/render')
const { issueDetail } = require('../helpers/fixtures')

const ISSUE = loadPage('issue')
const ROUTE = 'GET /api/v1/issues/3'
const VISIT = 'POST /api/v1/issues/3/return-visit'
const DOWN = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  server.on('POST /api/v1/uploads', { status: 201, body: { id: 51 } })
})

async function waitFor(condition) {
  for (let i = 0; i < 100 && !condition(); i += 1) await sleep(5)
}

async function open(...details) {
  server.on(ROUTE, ...details)
  const page = renderPage(ISSUE)
  await page.instance.onLoad({ id: '3' })
  await sleep(0)
  return page
}

const ok = (overrides) => ({ status: 200, body: issueDetail(overrides) })
const count = (route) => requestsMade(wx).filter((r) => r === route).length

test('a failed load says why, and 重试 loads the issue', async () => {
  const page = await open(DOWN, ok())
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['服务暂时不可用'])
  within(page, '.error', '.retry').dispatchEvent('tap')
  await waitFor(() => page.querySelector('.title'))
  expect(texts(page, '.title')).toEqual(['楼道灯不亮'])
  expect(count(ROUTE)).toBe(2)
})

test.each([
  ['referred', '已转办', '转办：小区自己办不了，已经交给物业、街道或有关部门处理。'],
  ['rejected', '不予受理', '不予受理：这件事小区没法处理，原因写在下面。'],
  ['resolved', '已解决', '处理人说已经处理好了（办结），请您看看是不是真的好了。'],
])('a %s issue explains its status in plain words', async (status, label, line) => {
  const page = await open(ok({ status, status_label: label }))
  expect(texts(page, '.status-explain')).toEqual([line])
})

describe('the return visit', () => {
  const visit = () => ok({ status: 'closed', status_label: '已完成', can_answer_return_visit: true })

  test('已解决 is asked first; 再想想 sends nothing', async () => {
    const page = await open(visit())
    cancelModal(wx)
    page.querySelector('.visit-yes').dispatchEvent('tap')
    await waitFor(() => wx.showModal.mock.calls.length)
    await sleep(5)
    expect(wx.showModal).toHaveBeenCalledWith(
      expect.objectContaining({ title: '问题已经解决了？', confirmText: '已解决', cancelText: '再想想' })
    )
    expect(count(VISIT)).toBe(0)
  })

  test('仍未解决, confirmed, reopens it', async () => {
    server.on(VISIT, { status: 200, body: { id: 9 } })
    const page = await open(visit(), ok({ status: 'accepted', status_label: '处理中' }))
    page.querySelector('.visit-no').dispatchEvent('tap')
    await waitFor(() => count(VISIT))
    expect(wx.showModal).toHaveBeenCalledWith(
      expect.objectContaining({ title: '问题还没有解决？', confirmText: '没解决' })
    )
    await waitFor(() => page.querySelector('.visit') === undefined)
    expect(page.querySelector('.visit')).toBeUndefined()
  })

  test('its buttons are full size, side by side', async () => {
    const page = await open(visit())
    expect(texts(page, '.visit-no').concat(texts(page, '.visit-yes'))).toEqual(['仍未解决', '已解决'])
    expect(attr(page.querySelector('.visit-yes'), 'size')).toBeUndefined()
  })
})

test('确认完成: the form says what it means; each star is named', async () => {
  const page = await open(ok({ status: 'resolved', status_label: '已解决', actions: ['confirm', 'reopen'], is_reporter: true }))
  expect(texts(page, '.action')).toEqual(['确认完成', '重新打开'])
  page.querySelectorAll('.action')[0].dispatchEvent('tap')
  await waitFor(() => page.querySelector('.form'))
  expect(texts(page, '.action-explain')).toEqual(['确认完成：您看过了，问题确实解决了。'])
  const stars = page.querySelectorAll('.star')
  expect(stars.map((s) => attr(s, 'aria-label'))).toEqual(['1 星', '2 星', '3 星', '4 星', '5 星'])
  stars[3].dispatchEvent('tap')
  await sleep(0)
  expect(attr(page.querySelectorAll('.star')[3], 'aria-checked')).toBe(true)
})

test('办结: deleting a photo of the finished work is asked first', async () => {
  const page = await open(ok({ status: 'accepted', status_label: '处理中', actions: ['refer', 'resolve'] }))
  page.querySelectorAll('.action')[1].dispatchEvent('tap')
  await waitFor(() => page.querySelector('.photo-add'))
  expect(texts(page, '.action-explain')[0]).toMatch(/^办结：事情已经处理完/)
  pickPhotos(wx, [{ tempFilePath: 'wxfile://tmp/done.jpg', size: 1000 }])
  page.querySelector('.photo-add').dispatchEvent('tap')
  await waitFor(() => page.querySelector('.photo-remove'))
  expect(attr(page.querySelector('.photo-remove'), 'aria-label')).toBe('删除第 1 张照片')
  cancelModal(wx)
  page.querySelector('.photo-remove').dispatchEvent('tap')
  await waitFor(() => wx.showModal.mock.calls.length)
  await sleep(5)
  expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '删除这张照片？' }))
  expect(page.querySelectorAll('.photo-remove')).toHaveLength(1)
})
