/**
 * @jest-environment jsdom
 *
 * 报事 rendered as a tab page: it says what 报事 means, a failed start shows
 * the error card and 重试, someone without a flat is sent to bind one, a
 * volunteer's 代居民报事 row opens its own page, photos are named for a screen reader,
 * deleting one is asked first, and a refused camera or privacy consent is
 * explained with the way to allow it.
 */
const { installWx, requestsMade, signedIn, pickPhotos, refusePhotos, cancelModal } = require('../helpers/wx')
const { loadPageWith, renderPage, texts, attr, within, textsWithin, sleep } = require('../helpers/render')
const { RESIDENT, LIAISON, COMPOUND, CONFIG } = require('../helpers/fixtures')

// The page's own utils/privacy.js: the one its privacy popup listens to.
const {
  id: REPORT,
  modules: { 'utils/privacy.js': privacy },
} = loadPageWith('report', ['utils/privacy.js'])
const DOWN = { status: 503, body: { code: 'database_unavailable', message: '服务暂时不可用' } }

let wx, server, uploads

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  uploads = 40
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/config', { status: 200, body: CONFIG })
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
  server.on('POST /api/v1/uploads', () => ({ status: 201, body: { id: ++uploads } }))
})

afterEach(() => delete global.getApp)

async function waitFor(condition) {
  for (let i = 0; i < 100 && !condition(); i += 1) await sleep(5)
}

async function open(options = {}) {
  const page = renderPage(REPORT)
  const loading = page.instance.onLoad(options)
  page.instance.onShow()
  await loading
  await sleep(0)
  return page
}

test('it says what 报事 means, above the form', async () => {
  const page = await open()
  expect(texts(page, '.intro')).toEqual([
    '报事，就是向小区反映问题：东西坏了、有安全隐患、邻里有矛盾、需要帮忙，都可以说。',
  ])
  expect(texts(page, '.submit')).toEqual(['提交'])
  expect(attr(page.querySelector('.photo-add'), 'aria-label')).toBe('添加照片')
})

test('a failed start says why, and 重试 opens the form', async () => {
  server.on('GET /api/v1/me', DOWN, { status: 200, body: RESIDENT })
  const page = await open()
  expect(textsWithin(page, '.error', '.error-card-text')).toEqual(['服务暂时不可用'])
  expect(page.querySelector('.submit')).toBeUndefined()
  within(page, '.error', '.retry').dispatchEvent('tap')
  await waitFor(() => page.querySelector('.submit'))
  expect(page.querySelector('.error')).toBeUndefined()
})

test('without a flat: says so and offers 去绑定房屋', async () => {
  server.on('GET /api/v1/me', { status: 200, body: { id: 9, roles: [], households: [] } })
  const page = await open()
  expect(textsWithin(page, '.nothing', '.empty-state-text')).toEqual(['绑定房屋后才能报事'])
  within(page, '.nothing', '.empty-state-action').dispatchEvent('tap')
  await sleep(0)
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/bind/index' })
})

test('a liaison on the tab reports as a resident; the 代居民报事 row opens its own page', async () => {
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  const page = await open()
  expect(texts(page, '.label')).toEqual(['类别', '位置', '标题', '详细描述', '照片（选填，最多 9 张）'])
  const entry = page.querySelector('.entry')
  expect(attr(entry, 'aria-label')).toBe('代居民报事：为没有微信的邻居登记')
  entry.dispatchEvent('tap')
  await sleep(0)
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/report-for/index' })
  expect(requestsMade(wx).filter((r) => r.startsWith('GET /api/v1/units/'))).toEqual([])
})

test('a resident sees no 代居民报事 row', async () => {
  const page = await open()
  expect(page.querySelector('.entry')).toBeFalsy()
  expect(texts(page, '.label')).toContain('位置')
})

test('photos are named; deleting one is asked first, and 不删 keeps it', async () => {
  const page = await open()
  pickPhotos(wx, [{ tempFilePath: 'wxfile://tmp/a.jpg', size: 1000 }])
  await page.instance.choosePhotos()
  await sleep(0)
  expect(attr(page.querySelector('.photo-remove'), 'aria-label')).toBe('删除第 1 张照片')
  expect(attr(page.querySelector('.photo-image'), 'aria-label')).toBe('看大图：第 1 张照片')

  cancelModal(wx)
  page.querySelector('.photo-remove').dispatchEvent('tap')
  await waitFor(() => wx.showModal.mock.calls.length)
  await sleep(5)
  expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '删除这张照片？' }))
  expect(page.querySelectorAll('.photo-image')).toHaveLength(1)

  page.querySelector('.photo-remove').dispatchEvent('tap')
  await waitFor(() => !page.querySelector('.photo-image'))
  expect(page.querySelectorAll('.photo-image')).toHaveLength(0)
})

test('camera/album refused: the modal says so in plain words and 去设置 opens the settings', async () => {
  const page = await open()
  refusePhotos(wx)
  page.querySelector('.photo-add').dispatchEvent('tap')
  await waitFor(() => wx.openSetting.mock.calls.length)
  const [modal] = wx.showModal.mock.calls[0]
  expect(modal.content).toMatch(/^您没有允许使用相机\/相册/)
  expect(modal.confirmText).toBe('去设置')
  expect(wx.openSetting).toHaveBeenCalledTimes(1)
  expect(page.querySelectorAll('.photo-image')).toHaveLength(0)
})

describe('privacy consent before the photo picker', () => {
  // WeChat asks the app's handler (app.js installs it) before wx.chooseMedia
  // goes on: agreed, the picker opens; refused, chooseMedia fails (errno 104).
  function askConsentFirst(files) {
    privacy.install()
    const [handler] = wx.onNeedPrivacyAuthorization.mock.calls[0]
    wx.chooseMedia.mockImplementationOnce((options) =>
      handler((answer) =>
        setTimeout(() => {
          if (answer.event === 'agree') options.success({ tempFiles: files })
          else options.fail({ errno: 104, errMsg: 'chooseMedia:fail privacy permission is not authorized' })
        }, 0)
      )
    )
  }

  test('the popup explains in plain words; 同意 lets the photo picker go on', async () => {
    const page = await open()
    askConsentFirst([{ tempFilePath: 'wxfile://tmp/a.jpg', size: 1000 }])
    page.querySelector('.photo-add').dispatchEvent('tap')
    await waitFor(() => within(page, '.privacy-host', '.privacy'))
    expect(textsWithin(page, '.privacy-host', '.privacy-title')).toEqual(['需要您同意隐私保护指引'])
    expect(textsWithin(page, '.privacy-host', '.privacy-text')[0]).toMatch(/添加照片要用到手机的相机和相册/)
    const agree = within(page, '.privacy-host', '.privacy-agree')
    expect(attr(agree, 'open-type')).toBe('agreePrivacyAuthorization')
    agree.dispatchEvent('agreeprivacyauthorization')
    await waitFor(() => page.querySelector('.photo-image'))
    expect(page.querySelectorAll('.photo-image')).toHaveLength(1)
    expect(within(page, '.privacy-host', '.privacy')).toBeUndefined()
  })

  test('不同意: no photo, and a modal says why and offers the guide', async () => {
    const page = await open()
    askConsentFirst([{ tempFilePath: 'wxfile://tmp/a.jpg', size: 1000 }])
    page.querySelector('.photo-add').dispatchEvent('tap')
    await waitFor(() => within(page, '.privacy-host', '.privacy'))
    within(page, '.privacy-host', '.privacy-disagree').dispatchEvent('tap')
    await waitFor(() => wx.showModal.mock.calls.length)
    const [modal] = wx.showModal.mock.calls[0]
    expect(modal).toMatchObject({ title: '没有同意隐私保护指引', confirmText: '查看指引' })
    await waitFor(() => wx.openPrivacyContract.mock.calls.length)
    expect(wx.openPrivacyContract).toHaveBeenCalled()
    expect(page.querySelectorAll('.photo-image')).toHaveLength(0)
  })

  // WeChat keeps the API waiting until the request is answered: left
  // unanswered, the next photo tap would refuse it and blame the user.
  test.each(['hidden', 'closed'])('the page %s with the popup up: refused quietly, no wrong modal later', async (how) => {
    const page = await open()
    askConsentFirst([{ tempFilePath: 'wxfile://tmp/a.jpg', size: 1000 }])
    page.querySelector('.photo-add').dispatchEvent('tap')
    await waitFor(() => within(page, '.privacy-host', '.privacy'))
    if (how === 'hidden') page.triggerPageLifeTime('hide')
    else page.detach()
    await sleep(10)
    expect(wx.showModal).not.toHaveBeenCalled()
    if (how === 'hidden') expect(within(page, '.privacy-host', '.privacy')).toBeUndefined()
    // Back on the page, the next tap asks again and 不同意 is explained then.
    const again = await open()
    askConsentFirst([{ tempFilePath: 'wxfile://tmp/b.jpg', size: 1000 }])
    again.querySelector('.photo-add').dispatchEvent('tap')
    await waitFor(() => within(again, '.privacy-host', '.privacy'))
    expect(wx.showModal).not.toHaveBeenCalled()
    within(again, '.privacy-host', '.privacy-disagree').dispatchEvent('tap')
    await waitFor(() => wx.showModal.mock.calls.length)
    expect(wx.showModal).toHaveBeenCalledTimes(1)
    expect(wx.showModal.mock.calls[0][0]).toMatchObject({ title: '没有同意隐私保护指引' })
  })

  test('reading the guide from the popup does not give the request up', async () => {
    const page = await open()
    askConsentFirst([{ tempFilePath: 'wxfile://tmp/a.jpg', size: 1000 }])
    page.querySelector('.photo-add').dispatchEvent('tap')
    await waitFor(() => within(page, '.privacy-host', '.privacy'))
    within(page, '.privacy-host', '.privacy-link').dispatchEvent('tap')
    await waitFor(() => wx.openPrivacyContract.mock.calls.length)
    page.triggerPageLifeTime('hide')
    page.triggerPageLifeTime('show')
    await sleep(10)
    const agree = within(page, '.privacy-host', '.privacy-agree')
    agree.dispatchEvent('agreeprivacyauthorization')
    await waitFor(() => page.querySelector('.photo-image'))
    expect(page.querySelectorAll('.photo-image')).toHaveLength(1)
  })
})
