/** The console's stylesheet at /assets/console.css (cached for a day: it changes only with the product). */
import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../../auth/roles.decorator';
import { STYLESHEET } from '../stylesheet';

@Controller('assets')
@Public()
export class AssetsController {
  @Get('console.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=86400')
  stylesheet(): string {
    return STYLESHEET;
  }
}
