// 小区概况 (committee, supervisor, building leads, liaisons): how many
// buildings, units and flats, how many stand empty or have a resident bound,
// per building its units with "暂无联络人" flagged (so the committee sees which
// units nobody looks after), and the last roster import. The committee gets
// 导入房屋名册 (pages/roster).
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { compoundOverview } = require('../../api/roster')
const { roleCompounds } = require('../../utils/user')
const { OVERVIEW_ROLES, ROSTER_ROLES } = require('../../utils/labels')
const { overviewView } = require('../../utils/roster')
const { loadable } = require('../../utils/page')

const VOLUNTEERS_ONLY = '只有业委会、财务监督、楼栋长和单元联络人可以查看小区概况。'

Page(
  loadable({
    data: {
      compounds: [],
      compoundIndex: 0,
      overview: null,
      canImport: false,
      denied: '', // holds none of the roles: said once, with nothing to retry
    },

    // Every show: coming back from 导入房屋名册, the counts have changed.
    onShow() {
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      let compounds = this.data.compounds
      if (!compounds.length) {
        const user = await getMe()
        const importers = roleCompounds(user, ROSTER_ROLES).map((c) => c.code)
        compounds = roleCompounds(user, OVERVIEW_ROLES).map((c) =>
          Object.assign(c, { canImport: importers.includes(c.code) })
        )
        if (!compounds.length) return { denied: VOLUNTEERS_ONLY, overview: null }
      }
      const compound = compounds[this.data.compoundIndex] || compounds[0]
      const overview = overviewView(await compoundOverview(compound.code))
      return { compounds, denied: '', overview, canImport: Boolean(compound.canImport) && !overview.archived }
    },

    // No flats yet: say so, and (committee) offer the import.
    isEmpty(data) {
      return Boolean(data.overview && data.overview.empty)
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), loaded: false, overview: null })
      return this.load()
    },

    goRoster() {
      const compound = this.data.compounds[this.data.compoundIndex]
      if (!this.data.canImport || !compound) return
      wx.navigateTo({ url: `/pages/roster/index?compound=${encodeURIComponent(compound.code)}` })
    },
  })
)
