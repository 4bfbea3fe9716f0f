// Element Plus, on demand: only the components the client uses, each with its own CSS,
// instead of the whole library (~1 MB). The notification, message and message box services
// are imported where they are used (src/utils/feedback.js); their CSS is loaded here.
import { ElAlert, ElButton, ElCheckbox, ElConfigProvider, ElDialog, ElImageViewer, ElInput, ElInputNumber, ElOption, ElSelect, ElTabPane, ElTabs } from 'element-plus'
import 'element-plus/es/components/alert/style/css'
import 'element-plus/es/components/button/style/css'
import 'element-plus/es/components/checkbox/style/css'
import 'element-plus/es/components/config-provider/style/css'
import 'element-plus/es/components/dialog/style/css'
import 'element-plus/es/components/image-viewer/style/css'
import 'element-plus/es/components/input/style/css'
import 'element-plus/es/components/input-number/style/css'
import 'element-plus/es/components/option/style/css'
import 'element-plus/es/components/select/style/css'
import 'element-plus/es/components/tabs/style/css'
import 'element-plus/es/components/tab-pane/style/css'
import 'element-plus/es/components/notification/style/css'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'

const components = [ElAlert, ElButton, ElCheckbox, ElConfigProvider, ElDialog, ElImageViewer, ElInput, ElInputNumber, ElOption, ElSelect, ElTabPane, ElTabs]

export default {
  install(app) {
    for (const c of components) app.component(c.name, c)
  }
}
