// Subscribe messages (订阅消息): WeChat only sends the ones the user accepted.
const { recordSubscriptions } = require('../api/me')

// Ask for consent; resolves with the accepted template ids ([] on any failure).
// WeChat only shows the dialog when this runs straight from a tap handler,
// before any await.
function askSubscriptions(tmplIds) {
  if (!tmplIds.length || typeof wx.requestSubscribeMessage !== 'function') return Promise.resolve([])
  return new Promise((resolve) => {
    wx.requestSubscribeMessage({
      tmplIds,
      success: (res) => resolve(tmplIds.filter((id) => res[id] === 'accept')),
      fail: () => resolve([]),
    })
  })
}

// Ask, then tell the server what was accepted. Never rejects: a refused or
// failed subscription must not stop what the user was doing.
function subscribe(tmplIds) {
  return askSubscriptions(tmplIds)
    .then((accepted) => (accepted.length ? recordSubscriptions(accepted) : null))
    .catch(() => null)
}

// The template ids named in config.subscribe_templates, skipping unset ones.
function templateIds(config, names) {
  const templates = (config && config.subscribe_templates) || {}
  return names.map((name) => templates[name]).filter(Boolean)
}

module.exports = { askSubscriptions, subscribe, templateIds }
