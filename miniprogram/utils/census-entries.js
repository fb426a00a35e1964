// The entries to the census, sweep and personal-information pages that the
// workspace and the home page show, by role: [{key, title, hint, url}]. Pure.
const { roleCompounds } = require('./user')

const holds = (user, roles) => roleCompounds(user, roles).length > 0

// The workspace: the committee's entries. (Liaisons and building leads reach
// the sweeps of their units and their coverage from 我的住户.)
function workspaceEntries(user) {
  if (!holds(user, ['committee'])) return []
  return [
    { key: 'campaigns', title: '排查', hint: '发起排查，看各单元上门进度', url: '/pages/campaigns/index' },
    { key: 'coverage', title: '住户登记覆盖', hint: '各楼栋、单元登记了多少户，还有多少户要上门', url: '/pages/coverage/index' },
    { key: 'access-log', title: '查看记录', hint: '谁看过住户的电话全号和关爱标记', url: '/pages/access-log/index' },
    { key: 'care-settings', title: '走访频率', hint: '有关爱标记的住户多久走访一次', url: '/pages/care-settings/index' },
  ]
}

// The home page: a resident's own record; the supervisor (who has no
// workspace) reads the access log from here; the street office sets each
// compound's WeChat Pay merchant.
function homeEntries(user) {
  const entries = []
  if ((user.households || []).length) {
    entries.push({ key: 'my-household', title: '我家的登记信息', hint: '查看、更正本户登记，看谁看过', url: '/pages/my-household/index' })
  }
  if (holds(user, ['supervisor'])) {
    entries.push({ key: 'access-log', title: '个人信息查看记录', hint: '谁看过住户的电话全号和关爱标记', url: '/pages/access-log/index' })
  }
  // The street office (its role is in no compound): where each compound's fees go.
  if (((user && user.roles) || []).some((role) => role.role === 'admin')) {
    entries.push({ key: 'compound-admin', title: '小区收款商户', hint: '各小区居民缴费付到哪个微信支付商户', url: '/pages/compound-admin/index' })
  }
  return entries
}

module.exports = { workspaceEntries, homeEntries }
