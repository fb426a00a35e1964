// Linli (邻里) mini-program entry.
// Sign-in is lazy: pages call ensureLogin() and api/request.js re-logs in once
// on a 401, so wx.login never runs on every page show.
App({
  globalData: {},

  onError(message) {
    console.error('[app]', message)
  },
})
