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

function confirm(title, content) {
  return showModal({ title, content }).then((res) => Boolean(res.confirm))
}

module.exports = { showModal, confirm }
