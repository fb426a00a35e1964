// 代居民报事: a liaison, building lead or the committee files an issue for a
// neighbour without WeChat (a name and a room of a unit they handle). A page
// of its own above 工作台 (or the 报事 tab), opened with navigateTo, so 返回
// goes back there and the 报事 tab stays the resident's own form. The form
// is shared with the tab: pages/report/form.js and form.wxml.
const { loadable } = require('../../utils/page')
const { reportForm } = require('../report/form')

Page(loadable(reportForm({ forOthers: true })))
