"""Mine action: hazardous areas (SHA/CHA), land release activities and explosive-ordnance incidents."""
