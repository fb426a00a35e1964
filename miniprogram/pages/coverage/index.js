// 住户登记覆盖 (the committee, building leads, liaisons): how many households of
// my reach have their census record confirmed, building by building and unit by
// unit, and how many still wait for a visit. Read only.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { censusCoverage } = require('../../api/census')
const { roleCompounds } = require('../../utils/user')
const { COVERAGE_ROLES, coverageView } = require('../../utils/coverage')
const { loadable } = require('../../utils/page')

const DENIED = '只有单元联络人、楼栋长和业委会成员可以查看住户登记情况。'

// The entry to 住户登记表格: what it offers me in this compound.
function filesEntry(me, code) {
  const committee = roleCompounds(me, ['committee']).some((c) => c.code === code)
  return committee
    ? { filesTitle: '导入、导出住户登记表格', filesHint: '下载模板，从表格导入；导出住户登记' }
    : { filesTitle: '导出住户登记表格', filesHint: '把您负责的住户登记导出成表格' }
}

Page(
  loadable({
    data: { denied: '', compounds: [], compoundIndex: 0, totals: null, buildings: [], filesTitle: '', filesHint: '' },

    onLoad(options) {
      this.wanted = (options && options.compound) || ''
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      let compounds = this.data.compounds
      let compoundIndex = this.data.compoundIndex
      if (!compounds.length) {
        this.me = await getMe()
        compounds = roleCompounds(this.me, COVERAGE_ROLES)
        if (!compounds.length) return { denied: DENIED, totals: null, buildings: [] }
        compoundIndex = Math.max(0, compounds.findIndex((c) => c.code === this.wanted))
      }
      const code = compounds[compoundIndex].code
      const answer = await censusCoverage(code)
      return Object.assign({ denied: '', compounds, compoundIndex }, coverageView(answer), filesEntry(this.me, code))
    },

    isEmpty(data) {
      return !data.denied && !data.buildings.length
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), loaded: false, buildings: [], totals: null })
      return this.load()
    },

    openFiles() {
      const compound = this.data.compounds[this.data.compoundIndex]
      if (compound) wx.navigateTo({ url: `/pages/census-files/index?compound=${encodeURIComponent(compound.code)}` })
    },
  })
)
