/**
 * @jest-environment node
 *
 * The shared page skeleton (utils/page.js), the type scale (utils/font.js),
 * page changes that may land on a tab page (utils/nav.js), and the app's
 * privacy and update handling (app.js).
 */
const path = require('path')
const { ROOT, installWx } = require('../helpers/wx')

let wx

beforeEach(() => {
  ;({ wx } = installWx())
})

const fresh = (file) => {
  let mod
  jest.isolateModules(() => (mod = require(path.join(ROOT, file))))
  return mod
}

// An instance of a page definition whose setData merges as WeChat's does.
function instance(definition) {
  const page = Object.create(definition)
  page.data = JSON.parse(JSON.stringify(definition.data))
  page.setData = jest.fn(function setData(patch) {
    Object.assign(this.data, patch)
  })
  return page
}

const DOWN = Object.assign(new Error('服务暂时不可用'), { status: 503 })

describe('loadable (utils/page.js)', () => {
  const { loadable } = fresh('utils/page.js')

  test('a first load goes from 加载中 to the data', async () => {
    const page = instance(loadable({ data: { who: '' }, fetch: async () => ({ who: '王阿姨' }) }))
    expect(page.data).toMatchObject({ loaded: false, error: '', empty: false })
    await page.load()
    expect(page.data).toMatchObject({ loaded: true, error: '', who: '王阿姨', empty: false })
  })

  test('a failure shows the error card; 重试 goes back to 加载中 and loads again', async () => {
    const fetch = jest.fn().mockRejectedValueOnce(DOWN).mockResolvedValueOnce({ who: '王阿姨' })
    const page = instance(loadable({ data: { who: '' }, fetch }))
    await page.load()
    expect(page.data).toMatchObject({ loaded: true, error: '服务暂时不可用' })
    const again = page.retry()
    expect(page.data).toMatchObject({ loaded: false, error: '' })
    await again
    expect(page.data).toMatchObject({ loaded: true, error: '', who: '王阿姨' })
    expect(fetch).toHaveBeenCalledTimes(2)
  })

  test('pull-to-refresh loads again and always stops the animation', async () => {
    const fetch = jest.fn().mockResolvedValueOnce({ n: 1 }).mockRejectedValueOnce(DOWN)
    const page = instance(loadable({ data: {}, fetch }))
    await page.onPullDownRefresh()
    expect(page.data.n).toBe(1)
    await page.onPullDownRefresh()
    expect(page.data.error).toBe('服务暂时不可用')
    expect(wx.stopPullDownRefresh).toHaveBeenCalledTimes(2)
  })

  test('an answer overtaken by a later load is dropped', async () => {
    let release
    const slow = new Promise((resolve) => (release = resolve))
    const fetch = jest.fn().mockReturnValueOnce(slow).mockResolvedValueOnce({ who: '新的' })
    const page = instance(loadable({ data: {}, fetch }))
    const first = page.load()
    await page.load()
    release({ who: '旧的' })
    await first
    expect(page.data.who).toBe('新的')
  })

  describe('paging', () => {
    const pages = {
      null: { items: [1, 2], nextCursor: 'Mg' },
      Mg: { items: [3], nextCursor: null },
    }
    const definition = (fetch) =>
      loadable({ data: { items: [], nextCursor: null }, paging: { list: 'items', cursor: 'nextCursor' }, fetch })

    test('the first page, then the next appended at the bottom, then nothing more', async () => {
      const fetch = jest.fn(async (cursor) => pages[cursor])
      const page = instance(definition(fetch))
      await page.load()
      expect(page.data).toMatchObject({ items: [1, 2], nextCursor: 'Mg', empty: false })
      await page.onReachBottom()
      expect(page.data).toMatchObject({ items: [1, 2, 3], nextCursor: null, loadingMore: false })
      await page.onReachBottom()
      expect(fetch.mock.calls.map(([cursor]) => cursor)).toEqual([null, 'Mg'])
    })

    test('an empty first page is the empty state', async () => {
      const page = instance(definition(async () => ({ items: [], nextCursor: null })))
      await page.load()
      expect(page.data).toMatchObject({ loaded: true, empty: true })
    })

    test('a failed next page keeps the list and says why', async () => {
      const fetch = jest.fn().mockResolvedValueOnce(pages.null).mockRejectedValueOnce(DOWN)
      const page = instance(definition(fetch))
      await page.load()
      await page.loadMore()
      expect(page.data).toMatchObject({ items: [1, 2], moreError: '服务暂时不可用', loadingMore: false, error: '' })
    })

    // A server whose newest item came in after the first load: ids newest
    // first, two a page, the cursor the last id shown.
    function server(ids) {
      const answers = []
      const fetch = jest.fn((before) => {
        const items = ids.filter((id) => before == null || id < before).slice(0, 2)
        return new Promise((resolve) => answers.push(() => resolve({ items, nextCursor: items[items.length - 1] })))
      })
      // Every request made by now, answered in the order they were made.
      const answerAll = async () => {
        await new Promise((resolve) => setTimeout(resolve, 0))
        while (answers.length) answers.shift()()
        await new Promise((resolve) => setTimeout(resolve, 0))
      }
      return { fetch, answerAll }
    }

    test('scrolling down while the list is read again asks for no next page with the old cursor', async () => {
      const ids = [5, 4, 3, 2, 1]
      const { fetch, answerAll } = server(ids)
      const page = instance(definition(fetch))
      const first = page.load()
      await answerAll()
      await first
      ids.unshift(6)
      const again = page.load() // shown again
      const more = page.onReachBottom() // scrolled meanwhile
      await answerAll()
      await Promise.all([again, more])
      expect(fetch.mock.calls.map(([cursor]) => cursor)).toEqual([null, null])
      expect(page.data).toMatchObject({ items: [6, 5], nextCursor: 5, loadingMore: false })
    })

    test('a next page still coming when the list is read again is dropped: nothing skipped or repeated', async () => {
      const ids = [5, 4, 3, 2, 1]
      const { fetch, answerAll } = server(ids)
      const page = instance(definition(fetch))
      const first = page.load()
      await answerAll()
      await first
      const more = page.onReachBottom() // asks for the items after 4
      ids.unshift(6)
      const again = page.load()
      await answerAll()
      await Promise.all([again, more])
      expect(page.data).toMatchObject({ items: [6, 5], nextCursor: 5, loadingMore: false, moreError: '' })
      const next = page.onReachBottom()
      await answerAll()
      await next
      expect(page.data.items).toEqual([6, 5, 4, 3])
    })

    test('a failed next page overtaken by a load says nothing', async () => {
      let fail
      const fetch = jest
        .fn()
        .mockResolvedValueOnce(pages.null)
        .mockReturnValueOnce(new Promise((resolve, reject) => (fail = reject)))
        .mockResolvedValueOnce(pages.null)
      const page = instance(definition(fetch))
      await page.load()
      const more = page.loadMore()
      await page.load()
      fail(DOWN)
      await more
      expect(page.data).toMatchObject({ items: [1, 2], moreError: '', loadingMore: false })
    })
  })

  test('onLoaded runs after each successful load, and load waits for it', async () => {
    const fetch = jest.fn().mockResolvedValueOnce({ n: 1 }).mockRejectedValueOnce(DOWN)
    const seen = []
    const page = instance(
      loadable({
        data: {},
        fetch,
        onLoaded() {
          return Promise.resolve().then(() => seen.push(this.data.n))
        },
      })
    )
    await page.load()
    expect(seen).toEqual([1])
    await page.load()
    expect(seen).toEqual([1])
  })

  test("the page's own handlers and data win", async () => {
    const onPullDownRefresh = jest.fn()
    const page = loadable({ data: { loaded: true }, fetch: async () => ({}), onPullDownRefresh })
    expect(page.onPullDownRefresh).toBe(onPullDownRefresh)
    expect(page.data.loaded).toBe(true)
  })

  test('onLoad sets the root font size, then runs the page\'s onLoad', () => {
    const onLoad = jest.fn()
    const page = instance(loadable({ data: {}, fetch: async () => ({}), onLoad }))
    page.onLoad({ id: '3' })
    expect(page.data.rootFontSize).toBe('16px')
    expect(onLoad).toHaveBeenCalledWith({ id: '3' })
  })
})

describe('rootFontSize (utils/font.js)', () => {
  test('1rem is 32rpx at the standard size: 16px on a 375pt-wide phone', () => {
    expect(fresh('utils/font.js').rootFontSize()).toBe('16px')
  })

  test('care mode (关怀模式) makes it 1.4 times as big', () => {
    installWx({ fontScale: 1.4 })
    expect(fresh('utils/font.js').rootFontSize()).toBe('22.4px')
  })

  test('a smaller WeChat font never makes reading text smaller than 32rpx', () => {
    installWx({ fontScale: 0.94 })
    expect(fresh('utils/font.js').rootFontSize()).toBe('16px')
  })

  test('older WeChat without getAppBaseInfo falls back to getSystemInfoSync', () => {
    delete wx.getAppBaseInfo
    delete wx.getWindowInfo
    wx.getSystemInfoSync = jest.fn(() => ({ fontSizeScaleFactor: 1.25, windowWidth: 414 }))
    expect(fresh('utils/font.js').rootFontSize()).toBe('22.1px')
  })
})

describe('open (utils/nav.js)', () => {
  let nav, app
  beforeEach(() => {
    app = { globalData: {} }
    global.getApp = () => app
    nav = fresh('utils/nav.js')
  })
  afterEach(() => delete global.getApp)

  test('a tab page is reached with switchTab; its query waits in globalData for one read', () => {
    nav.open('/pages/report/index?on_behalf=1')
    expect(wx.switchTab).toHaveBeenCalledWith({ url: '/pages/report/index' })
    expect(wx.navigateTo).not.toHaveBeenCalled()
    expect(nav.takeQuery('pages/report/index')).toEqual({ on_behalf: '1' })
    expect(nav.takeQuery('pages/report/index')).toEqual({})
  })

  test('a page path from the server (no leading slash) works too', () => {
    nav.open('pages/bills/index')
    expect(wx.switchTab).toHaveBeenCalledWith({ url: '/pages/bills/index' })
  })

  test('other pages keep navigateTo with their query', () => {
    nav.open('pages/issue/index?id=3')
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/issue/index?id=3' })
    expect(wx.switchTab).not.toHaveBeenCalled()
  })

  test('the tab pages are the ones app.json lists in its tab bar', () => {
    const { tabBar } = require(path.join(ROOT, 'app.json'))
    expect(tabBar.list.map((tab) => tab.pagePath)).toEqual(nav.TAB_PAGES)
    expect(tabBar.list.map((tab) => tab.text)).toEqual(['首页', '报事', '缴费', '消息'])
  })
})

describe('app.js', () => {
  function launch() {
    let definition
    global.App = (def) => (definition = def)
    jest.isolateModules(() => require(path.join(ROOT, 'app.js')))
    delete global.App
    definition.onLaunch()
    return definition
  }

  function updateManager() {
    const handlers = {}
    const manager = {
      onUpdateReady: jest.fn((fn) => (handlers.ready = fn)),
      onUpdateFailed: jest.fn((fn) => (handlers.failed = fn)),
      onCheckForUpdate: jest.fn(),
      applyUpdate: jest.fn(),
    }
    wx.getUpdateManager = jest.fn(() => manager)
    return { manager, handlers }
  }

  test('it hands privacy consent requests to utils/privacy.js', () => {
    launch()
    expect(wx.onNeedPrivacyAuthorization).toHaveBeenCalledWith(expect.any(Function))
  })

  test('a downloaded new version: asked in plain words, 重新打开 restarts into it', async () => {
    const { manager, handlers } = updateManager()
    launch()
    handlers.ready()
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(wx.showModal).toHaveBeenCalledWith(
      expect.objectContaining({ title: '有新版本', content: '邻里有了新版本，重新打开就能用上。现在重新打开吗？', confirmText: '重新打开' })
    )
    expect(manager.applyUpdate).toHaveBeenCalled()
  })

  test('以后再说 keeps the running version', async () => {
    const { manager, handlers } = updateManager()
    wx.showModal.mockImplementationOnce((o) => setTimeout(() => o.success({ confirm: false, cancel: true }), 0))
    launch()
    handlers.ready()
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(manager.applyUpdate).not.toHaveBeenCalled()
  })

  test('a failed download says what to do', () => {
    const { handlers } = updateManager()
    launch()
    handlers.failed()
    expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '更新没有成功', showCancel: false }))
  })

  test('a WeChat without the update manager still launches', () => {
    expect(() => launch()).not.toThrow()
  })
})
