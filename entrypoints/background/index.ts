import { setupAlarms } from './alarms';
import { setupMessages } from './messages';

// Listeners must be registered synchronously here: a cold start delivers the waking event only to
// listeners that exist when this function returns.
export default defineBackground(() => {
  setupMessages();
  setupAlarms();
});
