// Linli (邻里) mini-program entry.
// Sign-in is lazy: pages call ensureLogin() and api/request.js re-logs in once
// on a 401, so wx.login never runs on every page show.
const privacy = require('./utils/privacy')
const { getConfig } = require('./api/config')

const UPDATE_READY = '邻里有了新版本，重新打开就能用上。现在重新打开吗？'
const UPDATE_FAILED = '新版本下载没有成功。请删除最近使用的“邻里”，再重新打开。'

// A new version downloaded while the old one runs: ask to restart into it.
function watchUpdates() {
  if (typeof wx.getUpdateManager !== 'function') return
  const manager = wx.getUpdateManager()
  manager.onUpdateReady(() => {
    wx.showModal({
      title: '有新版本',
      content: UPDATE_READY,
      confirmText: '重新打开',
      cancelText: '以后再说',
      success: (res) => res.confirm && manager.applyUpdate(),
    })
  })
  manager.onUpdateFailed(() => {
    wx.showModal({ title: '更新没有成功', content: UPDATE_FAILED, showCancel: false, confirmText: '知道了' })
  })
}

App({
  globalData: {
    // Queries handed to tab pages by utils/nav.js open().
    tabQuery: {},
  },

  onLaunch() {
    privacy.install()
    watchUpdates()
    // The server's wording of codes for utils/labels.js; offline, the copy
    // stored last time (or the built-in one) speaks instead.
    getConfig().catch(() => {})
  },

  onError(message) {
    console.error('[app]', message)
  },
})
