// Promise wrappers for the few wx UI calls whose answer we wait for.

// Resolves with {confirm, cancel, content}; content is set when editable.
function showModal(options) {
  return new Promise((resolve) => {
    wx.showModal(
      Object.assign({}, options, {
        success: resolve,
        fail: () => resolve({ confirm: false, cancel: true }),
      })
    )
  })
}

// Ask before a one-tap act that cannot be undone (已解决, 登记现金, 删除照片):
// the title names the act, the content says what follows in plain words, and
// the buttons say what they do ({confirmText: '删除', cancelText: '不删'});
// WeChat takes at most 4 characters on each. Resolves with true to go ahead.
function confirm(title, content, { confirmText = '确定', cancelText = '取消' } = {}) {
  return showModal({ title, content, confirmText, cancelText }).then((res) => Boolean(res.confirm))
}

// confirm() for a button that sends something: a second tap that lands before
// the first question is answered (a shaky double tap) is ignored and resolves
// false, so one tap cannot become two questions and two requests. `owner` is
// the page.
async function confirmOnce(owner, title, content, options) {
  if (owner.confirming) return false
  owner.confirming = true
  try {
    return await confirm(title, content, options)
  } finally {
    owner.confirming = false
  }
}

module.exports = { showModal, confirm, confirmOnce }
